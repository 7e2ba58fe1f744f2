import type { ZodType } from 'zod';
import { taskList } from '../../flow/schemas.js';
import type { ChildListSpec, TaskTypeSpec } from '../spec.js';

/** The handlers every flowable task may carry around its children. */
export const handlers = () => ({ errors: taskList().optional(), finally: taskList().optional() });

export const HANDLER_CHILDREN: ChildListSpec[] = [{ key: 'errors' }, { key: 'finally' }];

interface Definition {
  type: string;
  olderNames?: string[];
  shortName: string;
  description: string;
  properties: ZodType;
}

export function runnable(def: Definition): TaskTypeSpec {
  return {
    type: def.type,
    aliases: [...(def.olderNames ?? []), def.shortName],
    kind: 'runnable',
    properties: def.properties,
    children: [],
    description: def.description,
  };
}

export function flowable(def: Definition & { children: ChildListSpec[] }): TaskTypeSpec {
  return {
    type: def.type,
    aliases: [...(def.olderNames ?? []), def.shortName],
    kind: 'flowable',
    properties: def.properties,
    children: def.children,
    description: def.description,
  };
}
