package dynamostore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/mailtemplate"
)

// TestTemplateVersions ensures every PUT is a new version, the latest and
// any earlier version read back, scopes are apart, the list shows the
// latest of each, and a deleted template is gone while a later PUT
// continues its numbering.
func TestTemplateVersions(t *testing.T) {
	client, _ := dynalite.StartTable(t, "messages")
	tbl := dynamostore.NewWithAPI("messages", client)
	ctx := context.Background()
	at := time.Now().UTC().Truncate(time.Millisecond)
	put := func(scope, name, html string) int {
		t.Helper()
		v, err := tbl.PutTemplate(ctx, scope, &mailtemplate.Template{Name: name, CreatedAt: at,
			Source: mailtemplate.Source{Subject: "s", HTML: html, Description: "d-" + html}})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v1, v2 := put("key1", "booking", "<p>1</p>"), put("key1", "booking", "<p>2</p>"); v1 != 1 || v2 != 2 {
		t.Fatalf("versions %d, %d", v1, v2)
	}
	put("key2", "booking", "<p>other</p>")
	put("key1", "receipt", "<p>r</p>")
	latest, err := tbl.Template(ctx, "key1", "booking", 0)
	if err != nil || latest.Version != 2 || latest.HTML != "<p>2</p>" || !latest.CreatedAt.Equal(at) {
		t.Fatalf("latest = %+v, %v", latest, err)
	}
	first, err := tbl.Template(ctx, "key1", "booking", 1)
	if err != nil || first.HTML != "<p>1</p>" {
		t.Fatalf("v1 = %+v, %v", first, err)
	}
	if _, err := tbl.Template(ctx, "key1", "booking", 3); !errors.Is(err, gmailsend.ErrNotFound) {
		t.Errorf("v3: %v", err)
	}
	if _, err := tbl.Template(ctx, "key3", "booking", 0); !errors.Is(err, gmailsend.ErrNotFound) {
		t.Errorf("another scope: %v", err)
	}
	list, err := tbl.Templates(ctx, "key1")
	if err != nil || len(list) != 2 || list[0].Name != "booking" || list[0].Version != 2 || list[0].Description != "d-<p>2</p>" || list[1].Name != "receipt" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if ok, err := tbl.DeleteTemplate(ctx, "key1", "booking"); !ok || err != nil {
		t.Fatalf("delete: %v %v", ok, err)
	}
	if ok, err := tbl.DeleteTemplate(ctx, "key1", "booking"); ok || err != nil {
		t.Fatalf("second delete: %v %v", ok, err)
	}
	for _, v := range []int{0, 1, 2} {
		if _, err := tbl.Template(ctx, "key1", "booking", v); !errors.Is(err, gmailsend.ErrNotFound) {
			t.Errorf("deleted v%d: %v", v, err)
		}
	}
	if list, _ := tbl.Templates(ctx, "key1"); len(list) != 1 {
		t.Errorf("list after delete = %+v", list)
	}
	if v := put("key1", "booking", "<p>3</p>"); v != 3 {
		t.Errorf("PUT after delete: version %d, want 3 (numbers are never reused)", v)
	}
	if _, err := tbl.Template(ctx, "key1", "booking", 1); !errors.Is(err, gmailsend.ErrNotFound) {
		t.Errorf("deleted content of v1 came back: %v", err)
	}
	if other, err := tbl.Template(ctx, "key2", "booking", 0); err != nil || other.HTML != "<p>other</p>" {
		t.Errorf("key2's template: %+v %v", other, err)
	}
}
