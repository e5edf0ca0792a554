import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BuildSettingsError, buildSettings } from '../build-settings';

const release = { NODE_ENV: 'production' } as const;

describe('build settings: a release build of the mini-programs refuses the demo defaults', () => {
  it('a demo build (npm start, npm test, npm run build:demo) gets the local server and the demo corps', () => {
    expect(buildSettings('dd', { NODE_ENV: 'production', GONGHAI_DEMO_BUILD: '1' })).toEqual({ apiOrigin: 'http://localhost:3000', ddCorpId: 'dingdemo', wecomCorpId: 'wwdemo', release: false });
    expect(buildSettings('qywx', { NODE_ENV: 'development' })).toMatchObject({ apiOrigin: 'http://localhost:3000', release: false });
  });

  it('H5 is always same-origin and never needs the settings', () => {
    expect(buildSettings('h5', release)).toMatchObject({ apiOrigin: '', release: false });
  });

  it('a release qywx build needs an https API origin and the real WeCom corp id', () => {
    expect(() => buildSettings('qywx', release)).toThrow(BuildSettingsError);
    const message = (() => {
      try {
        buildSettings('qywx', release);
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toContain('API_ORIGIN 未设置');
    expect(message).toContain('WECOM_CORP_ID 未设置');
    expect(() => buildSettings('qywx', { ...release, API_ORIGIN: 'http://api.example.com', WECOM_CORP_ID: 'ww1' })).toThrow('须是 https:// 开头');
    expect(() => buildSettings('qywx', { ...release, API_ORIGIN: 'https://localhost:3000', WECOM_CORP_ID: 'ww1' })).toThrow('指向本机');
    expect(() => buildSettings('qywx', { ...release, API_ORIGIN: 'https://api.example.com', WECOM_CORP_ID: 'wwdemo' })).toThrow('wwdemo 是演示企业');
    expect(buildSettings('qywx', { ...release, API_ORIGIN: 'https://api.example.com/', WECOM_CORP_ID: 'ww0123' })).toEqual({ apiOrigin: 'https://api.example.com', ddCorpId: '', wecomCorpId: 'ww0123', release: true });
  });

  it('a release dd build needs only the API origin: DingTalk gives the corp at launch (dd.corpId)', () => {
    expect(() => buildSettings('dd', release)).toThrow('API_ORIGIN 未设置');
    expect(buildSettings('dd', { ...release, API_ORIGIN: 'https://api.example.com' })).toEqual({ apiOrigin: 'https://api.example.com', ddCorpId: '', wecomCorpId: '', release: true });
    expect(() => buildSettings('dd', { ...release, API_ORIGIN: 'https://api.example.com', DD_CORP_ID: 'dingdemo' })).toThrow('dingdemo 是演示企业');
  });

  it('`taro build --type qywx` without the settings stops before touching dist/, with the reasons in Chinese', () => {
    const miniappDir = path.resolve(__dirname, '../..');
    const appJson = path.join(miniappDir, 'dist', 'qywx', 'app.json');
    const before = fs.existsSync(appJson) ? fs.statSync(appJson).mtimeMs : null;
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
    for (const name of ['GONGHAI_DEMO_BUILD', 'API_ORIGIN', 'WECOM_CORP_ID', 'DD_CORP_ID']) delete (env as Record<string, string | undefined>)[name];
    const taro = require.resolve('@tarojs/cli/bin/taro', { paths: [miniappDir] });
    const run = spawnSync(process.execPath, [taro, 'build', '--type', 'qywx'], { cwd: miniappDir, env, encoding: 'utf8', timeout: 120_000 });
    expect(run.status).not.toBe(0);
    const output = run.stdout + run.stderr;
    expect(output).toContain('正式构建（NODE_ENV=production）缺少或带有不可用的构建参数，已停止');
    expect(output).toContain('WECOM_CORP_ID 未设置');
    expect(fs.existsSync(appJson) ? fs.statSync(appJson).mtimeMs : null).toBe(before);
  });
});
