import type { RunnableTask } from '../types.js';
import { HTTP_DOWNLOAD_TYPE, httpDownload } from './download.js';
import { HTTP_REQUEST_TYPE, httpRequest } from './request.js';

/** The HTTP task types by Kestra type name, for the worker's registry. */
export const httpRunnables: Readonly<Record<string, RunnableTask>> = {
  [HTTP_REQUEST_TYPE]: httpRequest,
  [HTTP_DOWNLOAD_TYPE]: httpDownload,
};
