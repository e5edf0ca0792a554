// babel-preset-taro: React + TypeScript through the webpack5 runner (see taro-toolchain reference).
module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5' }]],
};
