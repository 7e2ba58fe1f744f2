import { z } from 'zod';

// The `storage:` section of sluice.yaml (see docs/storage.md). Each part may come from the file or
// the environment, so the sections are checked whole only when the storage opens.

export const STORAGE_TYPES = ['local', 'postgres', 's3'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

/** S3's smallest part size (except for the last part). */
const MIN_PART_SIZE = 5 * 1024 * 1024;

export const StorageSection = z
  .object({
    type: z.enum(STORAGE_TYPES).optional(),
    local: z
      .object({ basePath: z.string().min(1).optional() })
      .strict()
      .optional(),
    s3: z
      .object({
        bucket: z.string().min(1).optional(),
        region: z.string().min(1).optional(),
        endpoint: z.url().optional(),
        accessKey: z.string().min(1).optional(),
        secretKey: z.string().min(1).optional(),
        forcePathStyle: z.boolean().optional(),
        prefix: z.string().optional(),
        partSize: z.number().int().min(MIN_PART_SIZE).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type StorageSettings = z.infer<typeof StorageSection>;
export type S3Settings = NonNullable<StorageSettings['s3']> & { bucket: string };
