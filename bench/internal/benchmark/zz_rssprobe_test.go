package benchmark

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/internal/dev/devstack"
	"github.com/gmailsend/gmailsend/internal/dev/runtimeapi"
)

func TestZZRSSProbe(t *testing.T) {
	bins := strings.Split(os.Getenv("PROBE_BINS"), ",")
	if bins[0] == "" {
		t.Skip()
	}
	st, err := devstack.Start(devstack.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	att := strings.Repeat("QUJD", 136<<10/4)
	html := strings.Repeat("<p>주문하신 상품이 발송되었습니다. Your order has shipped.</p>\n", 150)
	req, _ := json.Marshal(map[string]any{"user": "sender@gmail.com", "password": "abcdefghijklmnop", "fromUsername": "주문 알림",
		"toEmail": "kim@example.com", "subject": "[주문 #1024] 배송이 시작되었습니다", "message": html, "text": html,
		"attachments": []map[string]string{{"filename": "invoice.pdf", "contentType": "application/pdf", "content": att}}})
	recs := make([]map[string]string, 10)
	for i := range recs {
		recs[i] = map[string]string{"messageId": fmt.Sprint("m", i), "body": string(req), "eventSource": "aws:sqs"}
	}
	ev, _ := json.Marshal(map[string]any{"Records": recs})
	env := append(st.Env(), strings.Fields(os.Getenv("PROBE_ENV"))...)
	for _, b := range bins {
		fn, err := runtimeapi.StartFunction(context.Background(), b, env, nil, os.Stderr)
		if err != nil {
			t.Fatal(err)
		}
		init := fn.PeakRSSKiB()
		for i := 0; i < 10; i++ {
			out, err := fn.Invoke(context.Background(), ev, 30*time.Second)
			if err != nil || out.Err != nil || string(out.Payload) != `{"batchItemFailures":[]}` {
				t.Fatalf("%v %v %s", err, out.Err, out.Payload)
			}
		}
		roll := []byte("")
		t.Logf("%s: init %v, after init %d KiB, peak %d KiB -- %s", b, fn.InitDuration, init, fn.PeakRSSKiB(), grep(string(roll)))
		fn.Stop()
	}
}

func grep(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "Rss") || strings.HasPrefix(l, "Anonymous") || strings.HasPrefix(l, "Pss_File") || strings.HasPrefix(l, "Pss_Anon") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "; ")
}
