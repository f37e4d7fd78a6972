// Package webconsole holds what the web consoles of pyro-ns (ns/console)
// and pyro-es (es/console) share: serving the page and its stylesheet,
// JSON answers and the paging of listings.
package webconsole

import (
	_ "embed"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"strconv"
)

//go:embed style.css
var style []byte

// StylePath is where MountPage serves the stylesheet; the pages link to it.
const StylePath = "/console/style.css"

// Default and largest page sizes of the listing endpoints.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// MountPage serves a console's page, the tree static holds under
// "static/": its index.html at / and its files under /console/, with the
// consoles' stylesheet at StylePath.
func MountPage(mux *http.ServeMux, static fs.FS) {
	files, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	fileServer := http.FileServerFS(files)
	mux.Handle("GET /{$}", fileServer)
	mux.Handle("GET /console/", http.StripPrefix("/console/", fileServer))
	mountStyle(mux)
}

// mountStyle serves the consoles' stylesheet at StylePath.
func mountStyle(mux *http.ServeMux) {
	mux.HandleFunc("GET "+StylePath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		_, _ = w.Write(style)
	})
}

// WriteJSON answers v as JSON with status, never cached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// Paging reads a listing request's offset (default 0) and limit (default
// DefaultLimit, at most MaxLimit).
func Paging(r *http.Request) (offset, limit int, err error) {
	limit = DefaultLimit
	if v := r.FormValue("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, errors.New("offset: not a number >= 0")
		}
	}
	if v := r.FormValue("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			return 0, 0, errors.New("limit: not a number >= 1")
		}
	}
	return offset, min(limit, MaxLimit), nil
}

// Window returns the part of a listing of n entries that a page from
// offset with limit shows, as slice bounds.
func Window(n, offset, limit int) (from, to int) {
	return min(offset, n), min(offset+limit, n)
}
