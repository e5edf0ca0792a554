import { AppError } from '../../errors';

export type VisitErrorCode = 'check_in_rejected' | 'visit_closed' | 'invalid_photo_token' | 'photo_missing' | 'forbidden' | 'not_reviewable' | 'already_reviewed';

export const visitError = (status: number, code: VisitErrorCode, message: string, details?: Record<string, unknown>) =>
  new AppError(status, code, message, details);
