package emulator

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
)

// Code.Location, as GetFunction and GetLayerVersion answer it, is where a
// deployment package can be downloaded. On AWS it is a presigned URL of a
// bucket of Lambda's own, valid for ten minutes. The lab answers a URL on
// its own endpoint, under a path no bucket can have (bucket names never
// start with "_"), so that downloading the Location works as on AWS (curl,
// the console's "Download function code") and `lambdalab export sam` can
// package the code it reads through the API. The path names the package's
// SHA-256, so a Location read before the code changed leads nowhere, as an
// expired URL does on AWS.

// codePackagePath is the prefix of the lab's Code.Location URLs.
const codePackagePath = "/_lambdalab/code/"

// inProcessEndpoint is the host the in-memory transport answers for (see
// Config): a lab that serves no port gives Locations there.
const inProcessEndpoint = "http://lambdalab.internal"

// codeLocation is the control plane's Code.Location: name is a function's
// name, or "layer-NAME-VERSION" for a layer version.
func (l *Lab) codeLocation(name, codeSha256 string) string {
	base := l.Endpoint()
	if base == "" {
		base = inProcessEndpoint
	}
	sum, _ := base64.StdEncoding.DecodeString(codeSha256)
	return base + codePackagePath + url.PathEscape(name) + "/" + hex.EncodeToString(sum) + ".zip"
}

// withCodePackages answers the lab's Code.Location URLs and passes every
// other request to next (S3, which takes unsigned requests).
func (l *Lab) withCodePackages(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, codePackagePath)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			codeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
			return
		}
		name, file, _ := strings.Cut(rest, "/")
		sha, ok := strings.CutSuffix(file, ".zip")
		if !ok || name == "" {
			codeError(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
			return
		}
		data, err := l.codePackage(name, sha)
		if err != nil {
			codeError(w, http.StatusNotFound, "NoSuchKey", err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(data)
		}
	})
}

// codePackage returns the zip a Location names, if its SHA-256 (hex) is
// still the function's or layer version's.
func (l *Lab) codePackage(name, sha string) ([]byte, error) {
	gone := fmt.Errorf("no package %s with SHA-256 %s: the code changed or was deleted since this Location was given; call GetFunction again", name, sha)
	for _, f := range l.control.Snapshot().Functions {
		if f.Configuration.FunctionName != name || hexSHA(f.Configuration.CodeSha256) != sha {
			continue
		}
		if f.Code.Path == "" {
			return nil, fmt.Errorf("function %s runs a built-in handler of lambdalab: it has no deployment package (its source is cmd/%s-lambda in lambdalab's repository)", name, f.Configuration.Handler)
		}
		return packageOf(f.Code.Path)
	}
	if v, ok := l.layerVersion(name); ok && hexSHA(v.CodeSha256) == sha {
		return os.ReadFile(v.Zip)
	}
	return nil, gone
}

// layerVersion finds the layer version a "layer-NAME-VERSION" Location
// names.
func (l *Lab) layerVersion(name string) (layers.Version, bool) {
	rest, ok := strings.CutPrefix(name, "layer-")
	i := strings.LastIndexByte(rest, '-')
	if !ok || i < 0 {
		return layers.Version{}, false
	}
	n, err := strconv.ParseInt(rest[i+1:], 10, 64)
	if err != nil {
		return layers.Version{}, false
	}
	reg, err := l.Layers()
	if err != nil {
		return layers.Version{}, false
	}
	return reg.Get(rest[:i], n)
}

// packageOf is the zip of a function's code: its deployment package, or a
// live folder (or file) zipped as it is now.
func packageOf(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("the function's code at %s cannot be read: %v", path, err)
	}
	var buf bytes.Buffer
	switch {
	case fi.IsDir():
		err = layers.ZipFolder(&buf, path)
	default:
		data, rerr := os.ReadFile(path)
		if rerr != nil {
			return nil, rerr
		}
		if _, zerr := zip.NewReader(bytes.NewReader(data), int64(len(data))); zerr == nil {
			return data, nil
		}
		zw := zip.NewWriter(&buf)
		w, werr := zw.CreateHeader(&zip.FileHeader{Name: filepath.Base(path), Method: zip.Deflate})
		if werr == nil {
			_, werr = w.Write(data)
		}
		err = zw.Close()
		if werr != nil {
			err = werr
		}
	}
	return buf.Bytes(), err
}

// hexSHA turns a CodeSha256 (base64) into the hex of a Location.
func hexSHA(b64 string) string {
	sum, _ := base64.StdEncoding.DecodeString(b64)
	return hex.EncodeToString(sum)
}

// codeError answers in S3's error shape: a Location is an S3 URL on AWS.
func codeError(w http.ResponseWriter, status int, code, msg string) {
	var doc struct {
		XMLName xml.Name `xml:"Error"`
		Code    string   `xml:"Code"`
		Message string   `xml:"Message"`
	}
	doc.Code, doc.Message = code, msg
	body, _ := xml.Marshal(doc)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write(append([]byte(xml.Header), body...))
}
