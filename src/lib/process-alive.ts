/** Whether a process with this id exists (EPERM: it does, owned by someone else). For lock and lease files. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
