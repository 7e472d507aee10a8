package api

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/lambdalab/lambdalab/emulator/lambda/control"
)

func decodeBytes(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		// *unverified*: Lambda's wording for a body that is not JSON.
		return &control.Error{Type: control.ErrInvalidRequestContent, Message: "Could not parse request body into json: " + err.Error()}
	}
	return nil
}

func eventInvokeConfig(h *Handler, w http.ResponseWriter, r *http.Request, p params, op string, merge bool) error {
	var in control.EventInvokeConfigInput
	if err := decode(r, op, &in); err != nil {
		return err
	}
	in.FunctionName, in.Qualifier = p["name"], r.URL.Query().Get("Qualifier")
	out, err := h.c.PutFunctionEventInvokeConfig(in, merge)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func putEventInvokeConfig(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	return eventInvokeConfig(h, w, r, p, "PutFunctionEventInvokeConfig", false)
}

func updateEventInvokeConfig(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	return eventInvokeConfig(h, w, r, p, "UpdateFunctionEventInvokeConfig", true)
}

func getEventInvokeConfig(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	out, err := h.c.GetFunctionEventInvokeConfig(p["name"], r.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func deleteEventInvokeConfig(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	if err := h.c.DeleteFunctionEventInvokeConfig(p["name"], r.URL.Query().Get("Qualifier")); err != nil {
		return err
	}
	return noContent(w)
}

func putRecursionConfig(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	var in control.RecursionConfig
	if err := decode(r, "PutFunctionRecursionConfig", &in); err != nil {
		return err
	}
	out, err := h.c.PutFunctionRecursionConfig(p["name"], in.RecursiveLoop)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func getRecursionConfig(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	out, err := h.c.GetFunctionRecursionConfig(p["name"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func putConcurrency(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	var in control.Concurrency
	if err := decode(r, "PutFunctionConcurrency", &in); err != nil {
		return err
	}
	out, err := h.c.PutFunctionConcurrency(p["name"], in.ReservedConcurrentExecutions)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func getConcurrency(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	out, err := h.c.GetFunctionConcurrency(p["name"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func deleteConcurrency(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	if err := h.c.DeleteFunctionConcurrency(p["name"]); err != nil {
		return err
	}
	return noContent(w)
}

func getAccountSettings(h *Handler, w http.ResponseWriter, _ *http.Request, _ params) error {
	return writeJSON(w, http.StatusOK, h.c.GetAccountSettings())
}
