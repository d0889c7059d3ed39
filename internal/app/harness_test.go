// The one test harness of the app tests (the whole function, built by
// app.Build exactly as main builds it, against local stand-ins), replies
// and errors the tests inject, and small conversions.
package app_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"crypto/tls"
	"encoding/base64"
	"errors"
	"github.com/gmailsend/gmailsend/dev/devoauth"
	"github.com/gmailsend/gmailsend/dev/devsecrets"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/awssecrets"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	gosmtp "github.com/emersion/go-smtp"
)

// setup says what a test needs beyond the defaults. The zero value is the
// function against a development SMTP server knowing both test accounts,
// with its secret store on a local Secrets Manager endpoint.
type setup struct {
	SMTP   devsmtp.Options   // the development SMTP server's behaviour
	Config func(*app.Config) // changes to the configuration
	// OAuth, when set, registers this client (its user, refresh token and
	// secret are filled in) with a local token endpoint, stores it as the
	// credential "oauth-desk", and makes the SMTP server accept only that
	// endpoint's current tokens.
	OAuth *devoauth.Client
	// Parts changes the adapters before Build (a store, a queue …).
	Parts func(*app.Parts)
	// Store runs dynalite with the template's table as MESSAGES_TABLE
	// (skipped where node is missing, failed in CI; store_harness_test.go).
	Store bool
	// Queue runs the local SQS and Scheduler endpoints as the send queue
	// and schedule group (needs Store; queue_harness_test.go).
	Queue bool
}

// harness is the whole function against local stand-ins.
type harness struct {
	srv     *devsmtp.Server
	app     *app.App
	log     *bytes.Buffer
	secrets *devsecrets.Server
	tokens  *devoauth.Server // nil unless setup.OAuth was set
	dynamo  *dynamodb.Client // nil unless setup.Store was set
	queue   *queueStandins   // nil unless setup.Queue was set
}

func newHarness(t *testing.T, s setup) *harness {
	t.Helper()
	h := &harness{log: new(bytes.Buffer), secrets: devsecrets.Start()}
	t.Cleanup(h.secrets.Close)
	if s.OAuth != nil {
		h.tokens = devoauth.Start(time.Hour)
		t.Cleanup(h.tokens.Close)
		client := *s.OAuth
		client.User, client.RefreshToken, client.Secret, client.ID = oauthUser, refreshToken, clientSecret, "client-id"
		h.tokens.Register(client)
		h.secrets.Put("gmailsend/oauth-desk", fmt.Sprintf(`{"user":%q,"oauth":{"clientId":"client-id","clientSecret":%q,"refreshToken":%q,"tokenEndpoint":%q}}`,
			oauthUser, clientSecret, refreshToken, h.tokens.URL))
		s.SMTP.TokenStatus = h.tokens.TokenStatus
	}
	var caFile string
	h.srv, caFile = fixture.StartSMTP(t, s.SMTP)
	cfg := appConfig(h.srv, caFile)
	if s.Config != nil {
		s.Config(&cfg)
	}
	parts := app.Parts{Secrets: awssecrets.NewWithAPI(h.secrets.Client()), Log: io.MultiWriter(h.log, fixture.LogSink())}
	if s.Store {
		h.dynamo = withStore(t, &cfg, &parts)
	}
	if s.Queue {
		h.queue = withQueue(t, &cfg, &parts)
	}
	if s.Parts != nil {
		s.Parts(&parts)
	}
	a, err := app.Build(cfg, parts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	h.app = a
	return h
}

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
