// Galera for the cluster tests (server/test/cluster): found, or installed with apt-get when we are root on Debian/Ubuntu.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const providers = ['/usr/lib/galera/libgalera_smm.so', '/usr/lib/galera-4/libgalera_smm.so', '/usr/lib64/galera-4/libgalera_smm.so', '/usr/lib64/galera/libgalera_smm.so'];

/** galera-4's provider and rsync (its state transfer) are both here. */
export function haveGalera() {
  return providers.some((p) => existsSync(p)) && spawnSync('rsync', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** True when Galera is (now) installed; otherwise says what to run and returns false. */
export function ensureGalera(say) {
  if (haveGalera()) return true;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    say('Galera 未安装：正在用 apt-get 安装 galera-4 rsync（集群测试需要三节点 MariaDB Galera）…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    if (update.status === 0) spawnSync('apt-get', ['install', '-y', '-qq', 'galera-4', 'rsync'], { stdio: 'inherit', env });
    if (haveGalera()) return true;
    say('安装 galera-4 失败。请手动运行：apt-get update && apt-get install -y galera-4 rsync');
    return false;
  }
  say('集群测试需要 Galera，但本机没有 libgalera_smm.so 或 rsync。请运行：');
  say('  sudo apt-get update && sudo apt-get install -y galera-4 rsync');
  return false;
}
