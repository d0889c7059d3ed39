package awssecrets_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsecrets"
	"github.com/gmailsend/gmailsend/internal/awssecrets"
)

// TestPutCreatesThenUpdates ensures a new name is created with its key and tags, and a second Put writes a new value of the same secret.
func TestPutCreatesThenUpdates(t *testing.T) {
	ep := devsecrets.Start()
	defer ep.Close()
	w := awssecrets.NewWriter(ep.Client())
	ctx := context.Background()
	res, err := w.Put(ctx, "gmailsend/desk", `{"v":1}`, awssecrets.PutOptions{KMSKeyID: "alias/mail", Tags: map[string]string{"team": "support"}, Description: "d"})
	if err != nil || !res.Created || !strings.HasPrefix(res.ARN, "arn:aws:secretsmanager:us-east-1:123456789012:secret:gmailsend/desk-") {
		t.Fatalf("create: %+v %v", res, err)
	}
	sec, _ := ep.Get("gmailsend/desk")
	if sec.Value != `{"v":1}` || sec.KMSKeyID != "alias/mail" || sec.Tags["team"] != "support" || sec.Description != "d" {
		t.Fatalf("stored: %+v", sec)
	}
	res2, err := w.Put(ctx, "gmailsend/desk", `{"v":2}`, awssecrets.PutOptions{KMSKeyID: "alias/mail"})
	if err != nil || res2.Created || res2.ARN != res.ARN || res2.KeptKMSKey || res2.KeptTags {
		t.Fatalf("update: %+v %v", res2, err)
	}
	sec, _ = ep.Get("gmailsend/desk")
	if sec.Value != `{"v":2}` || sec.Versions != 2 {
		t.Fatalf("after update: %+v", sec)
	}
	res3, err := w.Put(ctx, "gmailsend/desk", `{"v":3}`, awssecrets.PutOptions{KMSKeyID: "alias/other", Tags: map[string]string{"a": "b"}})
	if err != nil || !res3.KeptKMSKey || !res3.KeptTags {
		t.Fatalf("options on an existing secret must be reported as not applied: %+v %v", res3, err)
	}
}

// TestPutErrors ensures write failures get codes that name the operation and never the value.
func TestPutErrors(t *testing.T) {
	ep := devsecrets.Start()
	defer ep.Close()
	w := awssecrets.NewWriter(ep.Client())
	cases := []struct {
		failure devsecrets.Failure
		code    gmailsend.Code
	}{
		{devsecrets.Failure{Status: 400, Type: "AccessDeniedException"}, gmailsend.CodeForbidden},
		{devsecrets.Failure{Status: 400, Type: "EncryptionFailure"}, gmailsend.CodeForbidden},
		{devsecrets.Failure{Status: 400, Type: "InvalidParameterException"}, gmailsend.CodeInvalidRequest},
		{devsecrets.Failure{Status: 400, Type: "ThrottlingException"}, gmailsend.CodeSecretsUnavailable},
		{devsecrets.Failure{Status: 500, Type: "InternalServiceError"}, gmailsend.CodeSecretsUnavailable},
	}
	for _, c := range cases {
		ep.Fail("gmailsend/x", c.failure)
		_, err := w.Put(context.Background(), "gmailsend/x", "top-secret-value", awssecrets.PutOptions{})
		if gmailsend.CodeOf(err) != c.code || strings.Contains(err.Error(), "top-secret-value") {
			t.Errorf("%s: got %v, want %s", c.failure.Type, err, c.code)
		}
	}
	ep.Fail("gmailsend/x", devsecrets.Failure{})
	if _, ok := ep.Get("gmailsend/x"); ok {
		t.Fatal("a failed put created the secret")
	}
}
