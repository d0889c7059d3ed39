package benchmark

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/postfix"
)

// Server names, as the report prints them.
const (
	DevServer     = "development server"
	PostfixServer = "Postfix"
)

// target is an SMTP server the workloads run against.
type target struct {
	Name   string
	Detail string // how it is set up, for the report
	host   string
	port   int
	caFile string
	// counted: the server counts round trips, connections and messages
	// (the development server does; Postfix is measured from outside only).
	counted bool
}

func devTarget(st *devstack.Stack, rtt time.Duration) target {
	return target{Name: DevServer, host: "127.0.0.1", port: st.SMTP.Port, caFile: st.CAFile, counted: true,
		Detail: "the project's development server (go-smtp), STARTTLS and AUTH, every reply delayed by a simulated round trip of **" + rtt.String() + "**"}
}

// startTargets are the servers a workload runs against: the development
// server of st, then Postfix when cfg asks for it. Where Postfix cannot
// run (postfix.ErrUnavailable: not root, not installed) it is left out,
// skipped says why and a line on standard error says so. stop stops
// Postfix.
func startTargets(ctx context.Context, cfg Config, st *devstack.Stack) (targets []target, skipped string, stop func(), err error) {
	targets, stop = []target{devTarget(st, cfg.RTT)}, func() {}
	if !cfg.Postfix {
		return targets, "", stop, nil
	}
	t, stopPostfix, err := startPostfix(ctx)
	switch {
	case errors.Is(err, postfix.ErrUnavailable):
		fmt.Fprintf(os.Stderr, "benchmark: Postfix skipped: %v\n", err)
		return targets, err.Error(), stop, nil
	case err != nil:
		return nil, "", stop, err
	}
	return append(targets, t), "", stopPostfix, nil
}

// startPostfix starts a throwaway Postfix (dev/postfix) that
// accepts and discards mail. It returns postfix.ErrUnavailable when it
// cannot run here.
func startPostfix(ctx context.Context) (target, func(), error) {
	srv, err := postfix.Start(ctx, postfix.Options{Discard: true})
	if err != nil {
		return target{}, nil, err
	}
	version := "Postfix"
	if out, err := exec.Command("/usr/sbin/postconf", "-h", "mail_version").Output(); err == nil {
		version += " " + strings.TrimSpace(string(out))
	}
	return target{Name: PostfixServer, host: srv.Host, port: srv.Port, caFile: srv.CAFile,
		Detail: version + " from Debian's package with Dovecot SASL: submission with STARTTLS and AUTH on loopback, mail accepted and discarded; " +
			"**no added round trip** (this kernel has no netem, and a delaying proxy would itself hold Postfix's replies back, see docs/performance.md)"}, func() { _ = srv.Close() }, nil
}

// env points an SMTP client (the bootstrap or a peer) at the target.
func (t target) env() []string {
	return []string{"SMTP_HOST=" + t.host, "SMTP_PORT=" + strconv.Itoa(t.port), "SMTP_CA_FILE=" + t.caFile}
}
