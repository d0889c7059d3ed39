package runtimeapi

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Function is a bootstrap process running under a Server.
type Function struct {
	API     *Server
	cmd     *exec.Cmd
	exited  chan error
	stop    sync.Once
	state   *os.ProcessState
	Started time.Time
	// InitDuration is process start to the first /next request.
	InitDuration time.Duration
}

// StartFunction runs the bootstrap binary with env (added to a minimal
// Lambda-like environment) and waits for it to finish init.
func StartFunction(ctx context.Context, bootstrap string, env []string, stdout, stderr io.Writer) (*Function, error) {
	api, err := Start()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bootstrap)
	cmd.Env = append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + api.Addr,
		"AWS_LAMBDA_FUNCTION_NAME=gmailsend-local",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"_HANDLER=bootstrap",
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
	}, env...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	f := &Function{API: api, cmd: cmd, exited: make(chan error, 1)}
	f.Started = time.Now()
	if err := cmd.Start(); err != nil {
		api.Close()
		return nil, fmt.Errorf("runtimeapi: starting %s: %w", bootstrap, err)
	}
	go func() { f.exited <- cmd.Wait() }()
	select {
	case <-api.Ready():
		f.InitDuration = time.Since(f.Started)
		return f, nil
	case fe := <-api.InitError():
		f.Stop()
		return nil, fmt.Errorf("runtimeapi: init failed: %w", fe)
	case err := <-f.exited:
		api.Close()
		return nil, fmt.Errorf("runtimeapi: bootstrap exited during init: %v", err)
	case <-ctx.Done():
		f.Stop()
		return nil, ctx.Err()
	}
}

// Invoke runs one invocation.
func (f *Function) Invoke(ctx context.Context, payload []byte, timeout time.Duration) (Result, error) {
	return f.API.Invoke(ctx, payload, timeout)
}

// PeakRSSKiB is the process's peak resident set (VmHWM) while it runs.
// Unlike rusage's maxrss it is not inflated by the parent's memory at fork.
func (f *Function) PeakRSSKiB() int64 { return VmHWM(f.cmd.Process.Pid) }

// VmHWM reads a running process's peak resident set in KiB (0 if unknown).
func VmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// Stop sends SIGTERM (as Lambda does at shutdown), waits briefly, then
// kills, and returns the process's resource usage.
// Calling it again returns the same state.
func (f *Function) Stop() *os.ProcessState {
	f.stop.Do(func() {
		_ = f.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-f.exited:
		case <-time.After(2 * time.Second):
			_ = f.cmd.Process.Kill()
			<-f.exited
		}
		f.API.Close()
		f.state = f.cmd.ProcessState
	})
	return f.state
}
