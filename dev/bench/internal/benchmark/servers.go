package benchmark

import (
	"context"
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
