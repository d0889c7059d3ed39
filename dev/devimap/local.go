package devimap

import (
	"testing"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
)

// StartLocal starts a TLS server on a certificate from ca (the same CA as
// the development SMTP server, so one SMTP_CA_FILE serves both).
func StartLocal(o Options, ca *devsmtp.CA) (*Server, error) {
	if o.TLS == nil {
		cfg, err := ca.ServerTLS()
		if err != nil {
			return nil, err
		}
		o.TLS = cfg
	}
	return Start(o)
}

// StartTest starts a TLS server for a test on a new CA and closes it when
// the test ends; the CA is for the client's roots (or the SMTP server's
// certificate, when both should be trusted through one file).
func StartTest(tb testing.TB, o Options) (*Server, *devsmtp.CA) {
	tb.Helper()
	ca, err := devsmtp.NewCA()
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := StartLocal(o, ca)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	return srv, ca
}
