import { Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { SessionGate } from '@/components/session-gate';
import { platform, PlatformUnsupported, type Photo } from '@/platform';
import { api, type AdminPool, type CustomerExportFilter, type ImportReport } from '@/services';
import './index.scss';

const REASONS: Record<ImportReport['duplicates'][number]['reason'], string> = { name: '名称相同', phone: '电话相同', place: '同名且 200 米内' };

/** The report of a dry run or an import: counts, then every duplicate and every error with its row number. */
function Report({ report }: { report: ImportReport }) {
  return (
    <View className='import__section'>
      <Text className='import__summary' data-testid='import-report'>
        {report.dryRun ? '试导入（未写入）' : '已导入'}：共 {report.rows} 行，新建 {report.created}，跳过 {report.skipped}（重复 {report.duplicates.length}，有错误{' '}
        {report.skipped - report.duplicates.length}），按地址定位 {report.geocoded}
      </Text>
      {report.duplicates.length > 0 ? <Text className='import__title'>重复客户（不会导入）</Text> : null}
      {report.duplicates.map((d) => (
        <View key={`d${d.row}`} className='import__row'>
          <Text className='import__cell'>第 {d.row} 行</Text>
          <Text className='import__cell import__cell--wide'>
            {REASONS[d.reason]}：{d.existingId !== null ? `已有客户 #${d.existingId}` : `与第 ${d.sameAsRow} 行重复`}
          </Text>
        </View>
      ))}
      {report.errors.length > 0 ? <Text className='import__title'>需要修改的行</Text> : null}
      {report.errors.map((e, i) => (
        <View key={`e${e.row}-${i}`} className='import__row'>
          <Text className='import__cell'>第 {e.row} 行</Text>
          <Text className='import__cell import__cell--wide'>
            {e.column ? `「${e.column}」` : ''}
            {e.message}
          </Text>
        </View>
      ))}
    </View>
  );
}

const STATUSES: { key: CustomerExportFilter['status']; label: string }[] = [
  { key: undefined, label: '全部' },
  { key: 'pool', label: '公海中' },
  { key: 'owned', label: '已领取' },
];

/**
 * 导出客户: one pool or all, by status, as .xlsx — saved by a browser, opened in WeCom's viewer (whose menu forwards or
 * saves it); the DingTalk mini-program cannot open a sheet and says where to export instead.
 */
function ExportCustomers({ pools }: { pools: AdminPool[] }) {
  const [poolId, setPoolId] = useState<number | undefined>(undefined);
  const [status, setStatus] = useState<CustomerExportFilter['status']>(undefined);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  const run = async () => {
    if (busy) return;
    setBusy(true);
    setFailure(null);
    setDone(false);
    try {
      await api.admin.exportCustomers({ poolId, status });
      setDone(true);
    } catch (err) {
      setFailure(err instanceof Error ? err.message : '导出失败，请重试');
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='import__section'>
      <Text className='import__title'>导出客户</Text>
      {failure ? <ErrorBanner title='没有导出' message={failure} /> : null}
      <View className='import__chips'>
        {[{ id: undefined, name: '全部公海' }, ...pools].map((p) => (
          <Text key={p.id ?? 'all'} className={`import__chip ${poolId === p.id ? 'import__chip--on' : ''}`} onClick={() => setPoolId(p.id)} data-testid={`export-pool-${p.id ?? 'all'}`}>
            {p.name}
          </Text>
        ))}
      </View>
      <View className='import__chips'>
        {STATUSES.map((s) => (
          <Text key={s.label} className={`import__chip ${status === s.key ? 'import__chip--on' : ''}`} onClick={() => setStatus(s.key)} data-testid={`export-status-${s.key ?? 'all'}`}>
            {s.label}
          </Text>
        ))}
      </View>
      <Text className='import__hint'>
        表格含导入的各列，另有状态、负责人姓名、最近有效拜访和回收到期；可改后再导入（已有的客户按重复跳过）。
        {platform.name === 'dd' ? '钉钉小程序不能打开表格，请在电脑端或 H5 中导出。' : ''}
      </Text>
      <View className='import__actions'>
        <Text className={`import__button ${busy ? 'import__button--off' : ''}`} onClick={run} data-testid='export-xlsx'>
          导出 Excel
        </Text>
      </View>
      {busy ? <Text className='import__hint'>正在导出，请稍候…</Text> : null}
      {done ? (
        <Text className='import__done' data-testid='export-done'>
          {platform.name === 'h5' ? '已导出，请在浏览器的下载中查看。' : '已导出。'}
        </Text>
      ) : null}
    </View>
  );
}

function ImportCustomers() {
  const [pools, setPools] = useState<AdminPool[]>([]);
  const [poolId, setPoolId] = useState<number | null>(null);
  const [file, setFile] = useState<(Photo & { name: string }) | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    api.admin
      .pools()
      .then((r) => {
        const open = r.items.filter((p) => p.archivedAt === null);
        setPools(open);
        setPoolId((id) => id ?? open[0]?.id ?? null);
      })
      .catch((err: unknown) => setFailure(err instanceof Error ? err.message : '公海列表加载失败'));
  }, []);

  const run = async (dryRun: boolean) => {
    if (busy || !file || poolId === null) return;
    setBusy(true);
    setFailure(null);
    try {
      setReport(await api.admin.importCustomers(file, file.name, poolId, dryRun));
    } catch (err) {
      setFailure(err instanceof Error ? err.message : '导入失败，请重试');
    } finally {
      setBusy(false);
    }
  };

  const choose = async () => {
    setFailure(null);
    try {
      setFile(await platform.chooseFile());
      setReport(null);
    } catch (err) {
      setFailure(err instanceof PlatformUnsupported ? err.message : err instanceof Error ? err.message : '没有选择文件');
    }
  };

  const ready = file !== null && poolId !== null && !busy;
  return (
    <View className='import'>
      {failure ? <ErrorBanner title='没有完成' message={failure} /> : null}
      <View className='import__section'>
        <Text className='import__title'>1. 导入到哪个公海</Text>
        <View className='import__chips'>
          {pools.map((p) => (
            <Text key={p.id} className={`import__chip ${poolId === p.id ? 'import__chip--on' : ''}`} onClick={() => setPoolId(p.id)} data-testid={`import-pool-${p.id}`}>
              {p.name}
            </Text>
          ))}
        </View>
        <Text className='import__hint'>没有填写负责人的客户放入该公海；填写了负责人的，按公海的持有上限分配给他/她。</Text>
      </View>
      <View className='import__section'>
        <Text className='import__title'>2. 选择文件</Text>
        {platform.name === 'h5' ? (
          // A browser (also DingTalk or WeCom on a computer): a plain file input.
          <input
            type='file'
            accept='.xlsx,.csv'
            data-testid='import-file'
            onChange={(e) => {
              const picked = e.currentTarget.files?.[0];
              setFile(picked ? { path: '', file: picked, name: picked.name } : null);
              setReport(null);
            }}
          />
        ) : (
          <View>
            <Text className='import__button import__button--ghost' onClick={choose}>
              {file ? `已选择：${file.name}` : '从聊天中选择文件'}
            </Text>
            <Text className='import__hint'>企业微信手机端可从聊天中选择表格；钉钉小程序不能选择文件，请在电脑端或 H5 中导入。</Text>
          </View>
        )}
        <Text className='import__hint'>第一行为列名：客户名称、地址、纬度、经度、坐标系、级别、标签（用 ; 分隔）、联系人、职务、电话、负责人。CSV 可以是 UTF-8 或 GBK。</Text>
      </View>
      <View className='import__section'>
        <Text className='import__title'>3. 先试导入，再确认</Text>
        <View className='import__actions'>
          <Text className={`import__button import__button--ghost ${ready ? '' : 'import__button--off'}`} onClick={() => run(true)}>
            试导入
          </Text>
          <Text className={`import__button ${ready && report?.dryRun ? '' : 'import__button--off'}`} onClick={() => report?.dryRun && run(false)}>
            确认导入
          </Text>
        </View>
        {busy ? <Text className='import__hint'>正在处理，请稍候…</Text> : null}
        {report && !report.dryRun ? <Text className='import__done'>导入完成。</Text> : null}
      </View>
      {report ? <Report report={report} /> : null}
      <ExportCustomers pools={pools} />
    </View>
  );
}

/**
 * 导入导出客户 (admin): choose a pool and an .xlsx/.csv, 试导入 (dry run) shows the report, 确认导入 writes it; below,
 * 导出客户 downloads the customers as .xlsx.
 */
export default function AdminImportPage() {
  return (
    <SessionGate>
      {(session) => (session.user.roles.includes('admin') ? <ImportCustomers /> : <ErrorBanner title='没有权限' message='导入导出客户只对管理员开放；请联系管理员。' />)}
    </SessionGate>
  );
}
