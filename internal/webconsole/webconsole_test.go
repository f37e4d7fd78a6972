package webconsole

import (
	"net/http/httptest"
	"testing"
)

func TestPaging(t *testing.T) {
	tests := []struct {
		query         string
		offset, limit int
		err           bool
	}{
		{"", 0, DefaultLimit, false},
		{"offset=20&limit=10", 20, 10, false},
		{"limit=1000000", 0, MaxLimit, false},
		{"offset=-1", 0, 0, true},
		{"limit=0", 0, 0, true},
		{"offset=x", 0, 0, true},
	}
	for _, tt := range tests {
		offset, limit, err := Paging(httptest.NewRequest("GET", "/?"+tt.query, nil))
		if offset != tt.offset || limit != tt.limit || (err != nil) != tt.err {
			t.Errorf("%q: %d, %d, %v; want %d, %d, error %v", tt.query, offset, limit, err, tt.offset, tt.limit, tt.err)
		}
	}
}

func TestWindow(t *testing.T) {
	tests := []struct{ n, offset, limit, from, to int }{
		{10, 0, 5, 0, 5},
		{10, 8, 5, 8, 10},
		{10, 20, 5, 10, 10},
	}
	for _, tt := range tests {
		if from, to := Window(tt.n, tt.offset, tt.limit); from != tt.from || to != tt.to {
			t.Errorf("Window(%d, %d, %d) = %d, %d; want %d, %d", tt.n, tt.offset, tt.limit, from, to, tt.from, tt.to)
		}
	}
}
