import type { ErrorBody } from '@tiergate/contracts';

/** A non-2xx answer, carrying the API's `{error:{code,message,id}}` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static async from(res: Response): Promise<ApiError> {
    const text = await res.text().catch(() => '');
    try {
      const body = JSON.parse(text) as Partial<ErrorBody> & { error?: { type?: string; code?: string; message?: string } };
      if (body.error?.message) {
        return new ApiError(res.status, body.error.code ?? body.error.type ?? 'error', body.error.message, (body.error as { id?: string }).id);
      }
    } catch {
      // not JSON: fall through to the status line
    }
    return new ApiError(res.status, `http_${res.status}`, text.slice(0, 200) || res.statusText || `HTTP ${res.status}`);
  }
}
