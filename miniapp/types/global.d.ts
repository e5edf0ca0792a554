/// <reference types="@tarojs/taro" />

declare module '*.png';
declare module '*.jpg';
declare module '*.svg';
declare module '*.scss';
declare module '*.css';

declare namespace NodeJS {
  interface ProcessEnv {
    /** The build target; only src/platform/ and app.config.ts may read it (STYLE habit 10). */
    TARO_ENV: 'dd' | 'qywx' | 'h5';
    NODE_ENV: 'development' | 'production' | 'test';
  }
}

/** API origin for dd/qywx builds ('' on H5: same origin). Set at build time from the API_ORIGIN environment variable. */
declare const API_ORIGIN: string;
