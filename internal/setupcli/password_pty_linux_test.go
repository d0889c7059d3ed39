package setupcli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/sys/unix"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/setupcli"
)

// openPTY returns a pseudo-terminal pair: what a person types is written
// to master, the command reads slave as its stdin.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	// Through SyscallConn, not Fd: Fd would put master in blocking mode,
	// and echoed relies on read deadlines.
	raw, err := master.SyscallConn()
	if err != nil {
		t.Skipf("ptmx: %v", err)
	}
	var (
		n        uint32
		ioctlErr error
	)
	if err := raw.Control(func(fd uintptr) {
		if ioctlErr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ioctlErr == nil {
			n, ioctlErr = unix.IoctlGetUint32(int(fd), unix.TIOCGPTN)
		}
	}); err != nil || ioctlErr != nil {
		t.Skipf("unlockpt/ptsname: %v %v", err, ioctlErr)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("opening the pts: %v", err)
	}
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

// echoed is whatever the terminal sent back to the typist within a moment.
func echoed(t *testing.T, master *os.File) string {
	t.Helper()
	var out bytes.Buffer
	buf := make([]byte, 256)
	for {
		if err := master.SetReadDeadline(time.Now().Add(300 * time.Millisecond)); err != nil {
			t.Fatalf("the terminal cannot be read with a deadline: %v", err)
		}
		n, err := master.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			return out.String()
		}
	}
}

func echoOn(t *testing.T, tty *os.File) bool {
	t.Helper()
	st, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return st.Lflag&unix.ECHO != 0
}

// TestTerminalPasswordNotEchoed ensures a password typed at a terminal is read without echo (a probe line proves this terminal echoes otherwise) and stored.
func TestTerminalPasswordNotEchoed(t *testing.T) {
	master, slave := openPTY(t)
	// The probe: with echo on (the default), a typed line comes back.
	if _, err := master.WriteString("probe-line\n"); err != nil {
		t.Fatal(err)
	}
	if got := echoed(t, master); !strings.Contains(got, "probe-line") {
		t.Skipf("this terminal does not echo (%q); the check would prove nothing", got)
	}
	if _, err := slave.Read(make([]byte, 64)); err != nil { // consume the probe
		t.Fatal(err)
	}

	r := newRig(t)
	out, errOut := &fixture.SyncBuffer{}, &fixture.SyncBuffer{}
	env := setupcli.Env{Stdin: slave, Stdout: out, Stderr: errOut, Getenv: func(string) string { return "" },
		Secrets: func(context.Context, *setupcli.Globals) (*secretsmanager.Client, error) {
			return r.secrets.Client(), nil
		}}
	done := make(chan int)
	go func() {
		done <- setupcli.Run(context.Background(), []string{"credentials", "put", "desk", "--user", fixture.User,
			"--smtp-host", "localhost", "--smtp-port", strconv.Itoa(r.smtp.Port), "--ca-file", r.caFile}, env)
	}()
	// Type once the command has turned echo off, as a person would after
	// the prompt.
	for deadline := time.Now().Add(5 * time.Second); echoOn(t, slave); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("echo was never turned off; stderr:\n%s", errOut.String())
		}
	}
	if _, err := master.WriteString(spacedPassword + "\n"); err != nil {
		t.Fatal(err)
	}
	code := <-done
	if back := echoed(t, master); strings.Contains(back, "abcd") || strings.Contains(back, fixture.Password) {
		t.Fatalf("the terminal echoed the password: %q", back)
	}
	if sec, ok := r.secrets.Get("gmailsend/desk"); code != setupcli.ExitOK || !ok || !strings.Contains(sec.Value, fixture.Password) {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errOut.String())
	}
}

// TestInterruptRestoresEcho ensures Ctrl-C at the password prompt (the context cancelled) gives the terminal its echo back and stores nothing.
func TestInterruptRestoresEcho(t *testing.T) {
	_, slave := openPTY(t)
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := setupcli.Env{Stdin: slave, Stdout: &fixture.SyncBuffer{}, Stderr: &fixture.SyncBuffer{}, Getenv: func(string) string { return "" },
		Secrets: func(context.Context, *setupcli.Globals) (*secretsmanager.Client, error) {
			return r.secrets.Client(), nil
		}}
	done := make(chan int)
	go func() {
		done <- setupcli.Run(ctx, []string{"credentials", "put", "desk", "--user", fixture.User}, env)
	}()
	for deadline := time.Now().Add(5 * time.Second); echoOn(t, slave); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("echo was never turned off")
		}
	}
	cancel()
	if code := <-done; code != setupcli.ExitFailed {
		t.Fatalf("exit %d", code)
	}
	if !echoOn(t, slave) {
		t.Fatal("the terminal was left without echo")
	}
	if _, ok := r.secrets.Get("gmailsend/desk"); ok || len(r.smtp.AuthAttempts()) != 0 {
		t.Fatal("an interrupted put logged in or stored")
	}
}
