import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { notFound } from '../../errors';
import { readSingleFile } from '../../http/multipart';
import { userRateLimit } from '../../http/rate-limit';
import { parse, pathId } from '../../http/validate';
import { loadVisibleCustomer } from '../customers/customers.service';
import { reviewVisit } from './visit-review.service';
import { checkInBody, finishBody, reviewBody, reviewListQuery, visitListQuery } from './visits';
import { findPhoto } from './visits.repository';
import { MAX_PHOTO_BYTES, checkIn, checkPhotoUpload, finishVisit, issueNonce, myVisits, uploadPhoto, visitsToReview } from './visits.service';

/** Visits (DESIGN §5, §9): nonce, check-in, photos, finish, lists. Mounted behind requireAuth. */
export function visitRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();

  router.post('/api/v1/visits/nonce', userRateLimit(deps, 'noncesPerUser'), async (ctx) => {
    ctx.body = await issueNonce(deps, ctx.state.actor!);
  });

  router.post('/api/v1/visits', async (ctx) => {
    const result = await checkIn(deps, ctx.state.actor!, parse(checkInBody, ctx.request.body));
    ctx.status = 201;
    ctx.body = result;
  });

  router.post('/api/v1/visits/:id/photos', userRateLimit(deps, 'photoUploadsPerUser'), async (ctx) => {
    const actor = ctx.state.actor!;
    // Visit and token first: a refused upload is answered without reading its body.
    const grant = await checkPhotoUpload(deps, actor, pathId(ctx.params.id, '拜访'), ctx.get('X-Photo-Token') || undefined);
    const bytes = await readSingleFile(ctx, 'photo', MAX_PHOTO_BYTES);
    const result = await uploadPhoto(deps, actor, grant, bytes);
    ctx.status = 201;
    ctx.body = result;
  });

  router.post('/api/v1/visits/:id/finish', async (ctx) => {
    ctx.body = await finishVisit(deps, ctx.state.actor!, pathId(ctx.params.id, '拜访'), parse(finishBody, ctx.request.body));
  });

  router.get('/api/v1/me/visits', async (ctx) => {
    ctx.body = await myVisits(deps, ctx.state.actor!, parse(visitListQuery, ctx.query));
  });

  router.get('/api/v1/visits/review', async (ctx) => {
    ctx.body = await visitsToReview(deps, ctx.state.actor!, parse(reviewListQuery, ctx.query));
  });

  /** A manager (in scope) or an admin decides a finished suspect visit: `{decision: "verified"|"rejected", note?}`. */
  router.post('/api/v1/visits/:id/review', async (ctx) => {
    ctx.body = await reviewVisit(deps, ctx.state.actor!, pathId(ctx.params.id, '拜访'), parse(reviewBody, ctx.request.body));
  });

  /** The watermarked photo, for whoever may see its customer. */
  router.get('/api/v1/photos/:id', async (ctx) => {
    const actor = ctx.state.actor!;
    const photo = await findPhoto(deps.db, actor.tenantId, pathId(ctx.params.id, '照片'));
    if (photo === undefined) throw notFound('照片');
    await loadVisibleCustomer(deps.db, actor, photo.customer_id);
    const bytes = await deps.photos.get(photo.watermarked_key);
    if (bytes === undefined) throw notFound('照片文件');
    ctx.type = 'image/jpeg';
    ctx.set('Cache-Control', 'private, max-age=86400, immutable');
    ctx.body = bytes;
  });

  return router;
}
