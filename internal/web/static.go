package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded static file, with its content hash and a gzipped copy.
type asset struct {
	hash        string
	body, gz    []byte
	contentType string
}

// assets are the static files, hashed once at startup: each is served at
// /ui/static/HASH/PATH and cached for good, since a new content has a new URL.
type assets struct{ m map[string]*asset }

func loadAssets() *assets {
	a := &assets{m: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "text/plain; charset=utf-8"
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		it := &asset{hash: hex.EncodeToString(sum[:6]), body: body, contentType: ct}
		if gz.Len() < len(body) {
			it.gz = gz.Bytes()
		}
		a.m[p[len("static/"):]] = it
		return nil
	})
	if err != nil {
		panic("web: reading the embedded static files: " + err.Error())
	}
	return a
}

// url is the content-hashed URL of a static file (templates call it as asset).
func (a *assets) url(name string) (string, error) {
	it := a.m[name]
	if it == nil {
		return "", fs.ErrNotExist // a template names a file that is not embedded: fail loudly
	}
	return Prefix + "/static/" + it.hash + "/" + name, nil
}

// serveAsset is GET /ui/static/{hash}/{file...}. Assets need no session (the login page
// uses them, and they hold nothing secret).
func (u *UI) serveAsset(w http.ResponseWriter, r *http.Request) {
	it := u.assets.m[r.PathValue("file")]
	if it == nil || it.hash != r.PathValue("hash") {
		http.NotFound(w, r) // an old hash after an upgrade must not be cached as the new file
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Type", it.contentType)
	h.Set("ETag", `"`+it.hash+`"`)
	h.Add("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == `"`+it.hash+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := it.body
	if it.gz != nil && acceptsGzip(r) {
		body = it.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}
