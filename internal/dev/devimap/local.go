package devimap

import "github.com/gmailsend/gmailsend/internal/dev/devsmtp"

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
