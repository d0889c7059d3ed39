package smtp

import (
	"crypto/tls"
	netsmtp "net/smtp"
)

type (
	netsmtpServerInfo = netsmtp.ServerInfo
	devsmtpCert       = tls.Certificate
	authStarter       interface {
		Start(*netsmtp.ServerInfo) (string, []byte, error)
	}
)

func tlsFor(c tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{c}}
}
