package standardwebhooks

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const receiverSection = "## Verifying a signature (receivers)"

// docsBlock returns the first fenced block of language lang in the
// receivers section of docs/webhooks.md.
func docsBlock(t *testing.T, lang string) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "webhooks.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), receiverSection)
	if !ok {
		t.Fatalf("docs/webhooks.md has no %q section", receiverSection)
	}
	_, rest, ok := strings.Cut(section, "\n```"+lang+"\n")
	if !ok {
		t.Fatalf("no ```%s block in %q", lang, receiverSection)
	}
	code, _, ok := strings.Cut(rest, "\n```\n")
	if !ok {
		t.Fatalf("unterminated ```%s block", lang)
	}
	return code + "\n"
}

// TestDocsGoReceiverVerifiesSignatures ensures the documented Go receiver
// builds with the standard library alone, accepts what Client delivers and
// refuses a tampered body.
func TestDocsGoReceiverVerifiesSignatures(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.go"), docsBlock(t, "go"))
	writeFile(t, filepath.Join(dir, "go.mod"), "module receiver\n\ngo 1.22\n")
	build := exec.Command(goTool, "build", "-o", "receiver", ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOPROXY=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the documented Go receiver does not build: %v\n%s", err, out)
	}
	checkDocsReceiver(t, filepath.Join(dir, "receiver"))
}

// TestDocsNodeReceiverVerifiesSignatures ensures the same of the documented
// Node receiver.
func TestDocsNodeReceiverVerifiesSignatures(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH")
	}
	script := filepath.Join(t.TempDir(), "receiver.js")
	writeFile(t, script, docsBlock(t, "js"))
	checkDocsReceiver(t, node, script)
}

// checkDocsReceiver runs a documented receiver and sends it a webhook
// delivered by Client, the same one with a tampered body, and one signed
// with another secret.
func checkDocsReceiver(t *testing.T, command ...string) {
	t.Helper()
	secret := NewSecret()
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	receiver := exec.CommandContext(ctx, command[0], command[1:]...)
	var logs bytes.Buffer
	receiver.Stdout, receiver.Stderr = &logs, &logs
	receiver.Env = append(os.Environ(), "WEBHOOK_SECRET="+secret, "PORT="+strconv.Itoa(port))
	if err := receiver.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = receiver.Wait() })
	address := "127.0.0.1:" + strconv.Itoa(port)
	waitListening(t, address, &logs)
	url := "http://" + address + "/webhook"

	client := NewClient(ClientConfig{AllowLoopback: true})
	if out := client.Deliver(context.Background(), delivery(url, secret)); !out.Delivered {
		t.Fatalf("receiver refused a genuine webhook: %+v\n%s", out, logs.String())
	}
	body := []byte(`{"type":"message.sent","id":"m1"}`)
	header, err := Sign([]string{secret}, "evt_docs", time.Now(), body)
	if err != nil {
		t.Fatal(err)
	}
	if status := post(t, url, header, []byte(`{"type":"message.sent","id":"m2"}`)); status < 400 || status > 499 {
		t.Fatalf("tampered body answered %d, want 4xx", status)
	}
	other, _ := Sign([]string{NewSecret()}, "evt_docs", time.Now(), body)
	if status := post(t, url, other, body); status < 400 || status > 499 {
		t.Fatalf("another secret's signature answered %d, want 4xx", status)
	}
	if status := post(t, url, header, body); status < 200 || status > 299 {
		t.Fatalf("the untampered request answered %d, want 2xx", status)
	}
}

func post(t *testing.T, url string, header http.Header, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitListening(t *testing.T, address string, logs *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if conn, err := net.DialTimeout("tcp", address, time.Second); err == nil {
			conn.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("receiver never listened on %s:\n%s", address, logs.String())
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
