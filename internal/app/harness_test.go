// Shared pieces of the app tests: replies and errors the tests inject,
// and small conversions.
package app_test

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/lambda/messages"
	gosmtp "github.com/emersion/go-smtp"
)

var gosmtpError550545 = gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 4, 5},
	Message: "Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852"}

func functionErrorType(err error) string {
	var fe messages.InvokeResponse_Error
	if errors.As(err, &fe) {
		return fe.Type
	}
	return ""
}

func tlsConfig(c tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{c}}
}

func isUTF8(s string) bool { return utf8.ValidString(s) }

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
