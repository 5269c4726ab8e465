import { describe, expect, it } from 'vitest';
import { isCountryCode, KOSOVO } from '#domain/countries';
import {
  CAPTURE_METHODS,
  isWorkflowId,
  VERIFICATION_TYPES,
  WORKFLOW_IDS,
  WORKFLOWS,
  workflowIdOf,
} from '#domain/workflows';

describe('WORKFLOWS', () => {
  it('is the seed table: 1xx ID only, 2xx ID + Identity; x00 camera + upload, x01 camera, x02 upload', () => {
    expect(WORKFLOWS).toEqual({
      100: { verificationType: 'ID_ONLY', captureMethod: 'CAMERA_AND_UPLOAD' },
      101: { verificationType: 'ID_ONLY', captureMethod: 'CAMERA_ONLY' },
      102: { verificationType: 'ID_ONLY', captureMethod: 'UPLOAD_ONLY' },
      200: { verificationType: 'ID_AND_IDENTITY', captureMethod: 'CAMERA_AND_UPLOAD' },
      201: { verificationType: 'ID_AND_IDENTITY', captureMethod: 'CAMERA_ONLY' },
      202: { verificationType: 'ID_AND_IDENTITY', captureMethod: 'UPLOAD_ONLY' },
    });
    expect(WORKFLOW_IDS).toEqual([100, 101, 102, 200, 201, 202]);
  });

  it.each(WORKFLOW_IDS)('workflowIdOf gives %i back from its own workflow', (id) => {
    expect(workflowIdOf(WORKFLOWS[id])).toBe(id);
  });

  it('every verification type and capture method has exactly one workflow', () => {
    for (const verificationType of VERIFICATION_TYPES) {
      for (const captureMethod of CAPTURE_METHODS) {
        const id = workflowIdOf({ verificationType, captureMethod });
        expect(WORKFLOWS[id]).toEqual({ verificationType, captureMethod });
      }
    }
  });

  it.each([100, 101, 102, 200, 201, 202])('isWorkflowId(%i) is true', (id) => {
    expect(isWorkflowId(id)).toBe(true);
  });

  it.each([0, 1, 99, 103, 199, 203, 300, 100.5, -100, Number.NaN])('isWorkflowId(%d) is false', (id) => {
    expect(isWorkflowId(id)).toBe(false);
  });
});

describe('isCountryCode', () => {
  it.each(['AUT', 'DEU', 'USA', 'GBR', 'CHN', 'BRA', 'ZAF', KOSOVO])('%s is a country', (code) => {
    expect(isCountryCode(code)).toBe(true);
  });

  it('Kosovo is XKX', () => expect(KOSOVO).toBe('XKX'));

  it.each(['XXX', 'AT', 'aut', 'Aut', 'AUTT', '', '040', 'UK', 'EUR'])('%j is not', (code) => {
    expect(isCountryCode(code)).toBe(false);
  });
});
