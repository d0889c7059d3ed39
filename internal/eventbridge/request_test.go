package eventbridge

import (
	"reflect"
	"testing"
	"time"
)

// entrySize counts as EventBridge documents: 14 for a Time, the UTF-8
// bytes of Source, DetailType, Detail (é is two) and each Resource; the
// bus is free.
func TestEntrySize(t *testing.T) {
	e := Entry{Bus: "a-long-bus-name", Source: "gmailsend", DetailType: "message.sent", Detail: []byte(`{"é":1}`), Resources: []string{"r1", "r22"}}
	if got, want := entrySize(e), 9+12+8+2+3; got != want {
		t.Fatalf("without Time: %d, want %d", got, want)
	}
	e.Time = time.Now()
	if got, want := entrySize(e), 9+12+8+2+3+14; got != want {
		t.Fatalf("with Time: %d, want %d", got, want)
	}
}

// calls cuts at ten entries and before 256 KiB would be passed, keeps the
// order, and still makes progress on an entry alone at the limit.
func TestCalls(t *testing.T) {
	for name, tc := range map[string]struct {
		sizes []int
		want  [][]int
	}{
		"ten a call":       {sizes: make([]int, 23), want: [][]int{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, {20, 21, 22}}},
		"by size":          {sizes: []int{100 << 10, 100 << 10, 100 << 10, 156 << 10, 1}, want: [][]int{{0, 1}, {2, 3}, {4}}},
		"exactly 256 KiB":  {sizes: []int{128 << 10, 128 << 10, 1}, want: [][]int{{0, 1}, {2}}},
		"alone at the cap": {sizes: []int{1, maxCallBytes, 1}, want: [][]int{{0}, {1}, {2}}},
	} {
		t.Run(name, func(t *testing.T) {
			pending := make([]int, len(tc.sizes))
			for i := range pending {
				pending[i] = i
			}
			if got := calls(pending, tc.sizes); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("calls = %v, want %v", got, tc.want)
			}
		})
	}
}
