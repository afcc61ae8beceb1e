/** The error body of every non-2xx answer under /api (DESIGN §11). */
export interface ErrorBody {
  error: { code: string; message: string; id: string };
}
