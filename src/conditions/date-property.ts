import { z } from 'zod';
import { problemOf } from './dates.js';

/** The `date` every date condition reads: by default the date a Schedule trigger fires for. */
export const dateTemplate = () => z.string().min(1).default('{{ trigger.date }}');

/** A literal property parsed as Java parses it, refused at validation when it does not parse. */
export const parsed = (parse: (text: string) => unknown) =>
  z.string().superRefine((value, ctx) => {
    const problem = problemOf(parse, value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
  });
