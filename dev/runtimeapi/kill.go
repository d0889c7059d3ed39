package runtimeapi

import "os"

// Kill ends the process at once with SIGKILL, as a crash or Lambda's hard
// timeout would: no shutdown hook runs. It returns the process's state;
// Stop afterwards returns the same.
func (f *Function) Kill() *os.ProcessState {
	f.stop.Do(func() {
		_ = f.cmd.Process.Kill()
		<-f.exited
		f.API.Close()
		f.state = f.cmd.ProcessState
	})
	return f.state
}
