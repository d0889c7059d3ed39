package main_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gmailsend/gmailsend/dev/devimap"
	"github.com/gmailsend/gmailsend/dev/devoauth"
	"github.com/gmailsend/gmailsend/dev/devsecrets"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
)

// stack is everything both functions talk to, on loopback: SMTP (with the
// bounce domain wired to IMAP), IMAP, Secrets Manager, the token endpoint
// and DynamoDB (dynalite), and the two real bootstrap binaries.
type stack struct {
	smtp     *devsmtp.Server
	imap     *devimap.Server
	table    *dynamostore.Table
	dynamo   *dynamodb.Client
	send     *runtimeapi.Function
	bounces  *runtimeapi.Function
	sendLogs *fixture.SyncBuffer
	readLogs *fixture.SyncBuffer
}

const oauthUser = "oauth-user@gmail.com"

func build(t *testing.T, root, pkg, out string) string {
	t.Helper()
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
	return out
}

func startStack(t *testing.T) *stack {
	t.Helper()
	root, dir := fixture.ModuleRoot(t), t.TempDir()
	client, endpoint := dynalite.StartTable(t, "messages")
	sendBin := build(t, root, "./functions/gmailsend", filepath.Join(dir, "send", "bootstrap"))
	readBin := build(t, root, "./functions/bounces", filepath.Join(dir, "bounces", "bootstrap"))

	oauth := devoauth.Start(time.Hour)
	t.Cleanup(oauth.Close)
	oauth.Register(devoauth.Client{ID: "cid", Secret: "csecret", RefreshToken: "1//refresh-e2e", User: oauthUser})
	ca, err := devsmtp.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, ca.PEM, 0o644); err != nil {
		t.Fatal(err)
	}
	users := map[string]string{fixture.User: fixture.Password, oauthUser: "unused-password-1"}
	imap, err := devimap.StartLocal(devimap.Options{Users: users, TokenStatus: oauth.TokenStatus}, ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { imap.Close() })
	tlsCfg, err := ca.ServerTLS()
	if err != nil {
		t.Fatal(err)
	}
	smtp, err := devsmtp.Start(devsmtp.Options{TLS: tlsCfg, Users: users, TokenStatus: oauth.TokenStatus, Bounces: imap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { smtp.Close() })
	secrets := devsecrets.Start()
	t.Cleanup(secrets.Close)
	secrets.Put("gmailsend/desk", `{"user":"`+fixture.User+`","password":"`+fixture.Password+`"}`)
	secrets.Put("gmailsend/oauth-desk", `{"user":"`+oauthUser+`","oauth":{"clientId":"cid","clientSecret":"csecret","refreshToken":"1//refresh-e2e","tokenEndpoint":"`+oauth.URL+`"}}`)
	secrets.Put("gmailsend-e2e-fingerprint-key", strings.Repeat("fingerprint-key-", 4))

	env := []string{
		"SMTP_CA_FILE=" + caFile, "MESSAGES_TABLE=messages", "FINGERPRINT_KEY_SECRET=gmailsend-e2e-fingerprint-key",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + secrets.URL, "AWS_ENDPOINT_URL_DYNAMODB=" + endpoint,
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
		"AWS_EC2_METADATA_DISABLED=true",
	}
	st := &stack{smtp: smtp, imap: imap, table: dynamostore.NewWithAPI("messages", client), dynamo: client,
		sendLogs: new(fixture.SyncBuffer), readLogs: new(fixture.SyncBuffer)}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st.send, err = runtimeapi.StartFunction(ctx, sendBin, append(env, "SMTP_HOST=127.0.0.1", "SMTP_PORT="+itoa(smtp.Port)), st.sendLogs, st.sendLogs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.send.Stop() })
	st.bounces, err = runtimeapi.StartFunction(ctx, readBin, append(env, "IMAP_HOST=127.0.0.1", "IMAP_PORT="+itoa(imap.Port),
		"BOUNCE_CREDENTIALS=desk,oauth-desk", "BOUNCE_ARCHIVE_FOLDER="), st.readLogs, st.readLogs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.bounces.Stop() })
	return st
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// invoke runs one event through a function and returns its payload or its
// function error type.
func invoke(t *testing.T, fn *runtimeapi.Function, payload []byte) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	res, err := fn.Invoke(ctx, payload, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != nil {
		return "", res.Err.Type
	}
	return string(res.Payload), ""
}

func request(credential, to string) string {
	b, _ := json.Marshal(map[string]string{"credential": credential, "toEmail": to, "subject": "회의 안내", "message": "<p>hi</p>"})
	return string(b)
}

// restEvent is an upstream REST API event for method and path.
func restEvent(t *testing.T, method, resource, path string, params map[string]string, query map[string]string, body string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(fixture.UpstreamEvent(t, "apigw-request.json", body), &ev); err != nil {
		t.Fatal(err)
	}
	ev["httpMethod"], ev["resource"], ev["path"] = method, resource, path
	ev["pathParameters"], ev["queryStringParameters"], ev["multiValueQueryStringParameters"] = params, query, nil
	out, _ := json.Marshal(ev)
	return out
}

func statusOf(t *testing.T, payload string) (int, string) {
	t.Helper()
	var r struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal([]byte(payload), &r); err != nil {
		t.Fatalf("%v: %s", err, payload)
	}
	return r.StatusCode, r.Body
}
