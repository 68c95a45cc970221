// Part of the fast start's bundle (dist/fast/cli.cjs; scripts/bundle-fast-start.js, bin/fast-load.js).
// Runs one command the way oclif's execute() would once it has found it: same Command class, same
// parser, same error handling and exit codes, but with a configuration made from package.json alone
// instead of Config.load() (which reads every plugin and their manifests). This CLI declares no hooks
// that run around a command (init, prerun, preparse...), so there are none to run here.
import {Config, flush, handle} from '@oclif/core'
// Not exported by @oclif/core, but where its parser finds the exit codes from package.json.
import CacheModule from '../node_modules/@oclif/core/lib/cache.js'

const Cache = CacheModule.default ?? CacheModule

export async function runCommand({id, load, argv, pjson, root, commands}) {
  const config = new Config({root, pjson})
  Object.assign(config, {
    root, pjson, name: pjson.name, version: pjson.version, bin: pjson.oclif.bin ?? pjson.name, dirname: pjson.oclif.dirname ?? pjson.name,
    topicSeparator: pjson.oclif.topicSeparator ?? ':', platform: process.platform, arch: process.arch === 'ia32' ? 'x86' : process.arch,
    windows: process.platform === 'win32',
  })
  config.userAgent = `${config.name}/${config.version} ${config.platform}-${config.arch} node-${process.version}`
  config.home = process.env.HOME || (await import('node:os')).homedir()
  // As Config.load() sets them.
  config.cacheDir = config.scopedEnvVar('CACHE_DIR') || config.macosCacheDir() || config.dir('cache')
  config.configDir = config.scopedEnvVar('CONFIG_DIR') || config.dir('config')
  config.dataDir = config.scopedEnvVar('DATA_DIR') || config.dir('data')
  config.runHook = async () => ({successes: [], failures: []})
  for (const [commandId, command] of Object.entries(commands)) config._commands.set(commandId, command)
  const cache = Cache.getInstance()
  cache.set('config', config)
  cache.set('exitCodes', pjson.oclif.exitCodes ?? {})
  try {
    const {default: Command} = await load()
    Command.id = id
    await new Command(argv, config)._run()
    flush()
  } catch (error) {
    await handle(error)
  }
}
