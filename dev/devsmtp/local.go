package devsmtp

import (
	"os"
	"path/filepath"
)

// StartLocal starts a server with STARTTLS (or implicit TLS) on a
// certificate from a new CA, and writes the CA to caDir/ca.pem for clients
// (SMTP_CA_FILE). It returns the CA too, for clients configured in code.
func StartLocal(o Options, caDir string) (*Server, *CA, string, error) {
	ca, err := NewCA()
	if err != nil {
		return nil, nil, "", err
	}
	if o.TLS == nil {
		if o.TLS, err = ca.ServerTLS(); err != nil {
			return nil, nil, "", err
		}
	}
	caFile := filepath.Join(caDir, "ca.pem")
	if err := os.WriteFile(caFile, ca.PEM, 0o644); err != nil {
		return nil, nil, "", err
	}
	s, err := Start(o)
	if err != nil {
		return nil, nil, "", err
	}
	return s, ca, caFile, nil
}
