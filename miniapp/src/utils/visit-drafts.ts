import Taro from '@tarojs/taro';
import type { DraftStore, VisitDraft } from './visit-flow';

const key = (customerId: number) => `gonghai.visit.${customerId}`;

/** Open visits in Taro storage (localStorage on H5), so a reload or a closed mini-program resumes the visit. */
export const taroDraftStore: DraftStore = {
  load(customerId) {
    try {
      const raw = Taro.getStorageSync(key(customerId)) as string;
      return raw ? (JSON.parse(raw) as VisitDraft) : null;
    } catch {
      return null;
    }
  },
  save(draft) {
    Taro.setStorageSync(key(draft.customerId), JSON.stringify(draft));
  },
  clear(customerId) {
    Taro.removeStorageSync(key(customerId));
  },
};
