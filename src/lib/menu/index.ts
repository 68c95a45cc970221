/** The menu library's public face, for other parts (send-callflow --menu): load a menu file, build its start request. */
export {menuStartRequest, type StartOptions} from './answer.js'
export {loadMenuOrThrow, checkMenuFile} from './files.js'
export type {Menu} from './model.js'
