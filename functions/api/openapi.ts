// (API Gateway) --> the OpenAPI document, generated from the request schemas
import { api } from '#http/api';
import { openApiDocument } from '#http/openapi';

let document: Record<string, unknown> | undefined;

export const handler = api({ apiHeaders: false }).handle(() => {
  document ??= openApiDocument() as unknown as Record<string, unknown>;
  return document;
});
