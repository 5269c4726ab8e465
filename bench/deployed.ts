// The deployed functions' build and runtime settings, as infra uses them: what the bench bundles,
// and the environment it imports them with.
export { FUNCTION_BUNDLING, FUNCTION_ENVIRONMENT } from '../infra/constructs/function.ts';
