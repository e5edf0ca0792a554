export { MiniVm, type MiniTarget, type PageInstance } from './mini-vm';
export { Phone, type PhoneOptions, type Place, type Refusal } from './phone';
export { DD_HTTP_METHODS, createDdGlobal } from './dd-global';
export { WX_HTTP_METHODS, createWxGlobal } from './wx-global';
export { allNodes, applySetData, byClass, parsePath, textOf, type ViewNode } from './render-tree';
export { VirtualTimers } from './virtual-timers';
