/** The page at `/` until the H5 app is built: what runs here and how to log in as a demo user. */
export function landingPage(sandbox: boolean): string {
  const demo = sandbox
    ? `<h2>以演示用户登录</h2>
<ol>
<li>向沙箱申请登录码：<pre>curl -s -X POST localhost:3000/sandbox/dingtalk/_control/login-code -H 'content-type: application/json' -d '{"corpId":"dingdemo","userId":"rep01"}'</pre></li>
<li>用登录码换取令牌：<pre>curl -s -X POST localhost:3000/api/v1/auth/login -H 'content-type: application/json' -d '{"platform":"dingtalk","corpId":"dingdemo","code":"&lt;code&gt;"}'</pre></li>
<li>查看人民广场附近的公海客户：<pre>curl -s 'localhost:3000/api/v1/pool/nearby?lat=31.2304&amp;lng=121.4737&amp;radius=1000' -H 'authorization: Bearer &lt;token&gt;'</pre></li>
</ol>
<p>演示企业：钉钉 <code>dingdemo</code>、企业微信 <code>wwdemo</code>（<code>/sandbox/wecom/_control/login-code</code>）。演示用户：rep01…rep16、mgr-east、mgr-south、hr01、admin01、newhire01。</p>`
    : '<p>请从钉钉或企业微信工作台打开公海。</p>';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>公海 Gonghai</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem;line-height:1.6}pre{background:#f4f4f4;padding:.5rem;overflow-x:auto;white-space:pre-wrap}</style>
</head><body>
<h1>公海 · 客户公海池</h1>
<p>服务已启动：API 位于 <code>/api/v1</code>，健康检查 <a href="/healthz">/healthz</a>。移动端页面将在小程序版本中提供。</p>
${demo}
</body></html>`;
}
