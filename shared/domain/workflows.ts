/** Acquisition workflows: a verification type and a capture method (seed 000, `workflowId`). */

export const CAPTURE_METHODS = ['CAMERA_AND_UPLOAD', 'CAMERA_ONLY', 'UPLOAD_ONLY'] as const;
export type CaptureMethod = (typeof CAPTURE_METHODS)[number];

export const VERIFICATION_TYPES = ['ID_ONLY', 'ID_AND_IDENTITY'] as const;
export type VerificationType = (typeof VERIFICATION_TYPES)[number];

export interface Workflow {
  verificationType: VerificationType;
  captureMethod: CaptureMethod;
}

export const WORKFLOWS = {
  100: { verificationType: 'ID_ONLY', captureMethod: 'CAMERA_AND_UPLOAD' },
  101: { verificationType: 'ID_ONLY', captureMethod: 'CAMERA_ONLY' },
  102: { verificationType: 'ID_ONLY', captureMethod: 'UPLOAD_ONLY' },
  200: { verificationType: 'ID_AND_IDENTITY', captureMethod: 'CAMERA_AND_UPLOAD' },
  201: { verificationType: 'ID_AND_IDENTITY', captureMethod: 'CAMERA_ONLY' },
  202: { verificationType: 'ID_AND_IDENTITY', captureMethod: 'UPLOAD_ONLY' },
} as const satisfies Record<number, Workflow>;

export type WorkflowId = keyof typeof WORKFLOWS;
export const WORKFLOW_IDS = Object.keys(WORKFLOWS).map(Number) as WorkflowId[];

export function isWorkflowId(value: number): value is WorkflowId {
  return Object.hasOwn(WORKFLOWS, value);
}

/** The workflow id that stands for a verification type and capture method. */
export function workflowIdOf(workflow: Workflow): WorkflowId {
  const found = WORKFLOW_IDS.find(
    (id) =>
      WORKFLOWS[id].verificationType === workflow.verificationType &&
      WORKFLOWS[id].captureMethod === workflow.captureMethod,
  );
  if (found === undefined) throw new Error('every verification type and capture method has a workflow');
  return found;
}
