package api

import (
	"net/http"
	"strconv"

	"github.com/lambdalab/lambdalab/emulator/lambda/control"
)

func createFunction(h *Handler, w http.ResponseWriter, r *http.Request, _ params) error {
	b, err := readBody(r, control.MaxCreateRequestBytes, "CreateFunction")
	if err != nil {
		return err
	}
	var in control.CreateFunctionInput
	if err := decodeBytes(b, &in); err != nil {
		return err
	}
	out, err := h.c.CreateFunction(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func listFunctions(h *Handler, w http.ResponseWriter, r *http.Request, _ params) error {
	q := r.URL.Query()
	if v := q.Get("FunctionVersion"); v != "" && v != "ALL" {
		return &control.Error{Type: control.ErrValidation, Message: "1 validation error detected: Value '" + v +
			"' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]"}
	}
	n, err := control.ParseMaxItems(q.Get("MaxItems"))
	if err != nil {
		return err
	}
	out, err := h.c.ListFunctions(q.Get("Marker"), n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func getFunction(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	out, err := h.c.GetFunction(p["name"], r.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func deleteFunction(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	if err := h.c.DeleteFunction(p["name"], r.URL.Query().Get("Qualifier")); err != nil {
		return err
	}
	return noContent(w)
}

func getFunctionConfiguration(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	out, err := h.c.GetFunctionConfiguration(p["name"], r.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func updateFunctionConfiguration(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	var in control.UpdateFunctionConfigurationInput
	if err := decode(r, "UpdateFunctionConfiguration", &in); err != nil {
		return err
	}
	in.FunctionName = p["name"]
	out, err := h.c.UpdateFunctionConfiguration(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func updateFunctionCode(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	var in control.UpdateFunctionCodeInput
	if err := decode(r, "UpdateFunctionCode", &in); err != nil {
		return err
	}
	in.FunctionName = p["name"]
	out, err := h.c.UpdateFunctionCode(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func invoke(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	body, err := readBody(r, control.MaxSyncPayloadBytes, "Invoke")
	if err != nil {
		if e := control.AsError(err); e.Type == control.ErrRequestEntityTooLarge {
			e.Type = control.ErrRequestTooLarge
			e.Message = "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
		}
		return err
	}
	out, err := h.c.Invoke(r.Context(), control.InvokeInput{FunctionName: p["name"], Qualifier: r.URL.Query().Get("Qualifier"),
		InvocationType: r.Header.Get("X-Amz-Invocation-Type"), LogType: r.Header.Get("X-Amz-Log-Type"), Payload: body})
	if err != nil {
		return err
	}
	hd := w.Header()
	if out.RequestID != "" {
		hd.Set("x-amzn-RequestId", out.RequestID)
	} else {
		hd.Set("x-amzn-RequestId", h.requestID())
	}
	if out.StatusCode != http.StatusOK {
		w.WriteHeader(out.StatusCode)
		return nil
	}
	hd.Set("X-Amz-Executed-Version", out.ExecutedVersion)
	if out.FunctionError != "" {
		hd.Set("X-Amz-Function-Error", out.FunctionError)
	}
	if out.LogResult != "" {
		hd.Set("X-Amz-Log-Result", out.LogResult)
	}
	hd.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(out.Payload)
	return err
}

func addPermission(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	var in control.AddPermissionInput
	if err := decode(r, "AddPermission", &in); err != nil {
		return err
	}
	in.FunctionName, in.Qualifier = p["name"], r.URL.Query().Get("Qualifier")
	out, err := h.c.AddPermission(in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func getPolicy(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	out, err := h.c.GetPolicy(p["name"], r.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func removePermission(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	q := r.URL.Query()
	if err := h.c.RemovePermission(p["name"], p["sid"], q.Get("Qualifier"), q.Get("RevisionId")); err != nil {
		return err
	}
	return noContent(w)
}

func publishLayerVersion(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	var in control.PublishLayerVersionInput
	if err := decode(r, "PublishLayerVersion", &in); err != nil {
		return err
	}
	in.LayerName = p["layer"]
	out, err := h.c.PublishLayerVersion(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func listLayers(h *Handler, w http.ResponseWriter, r *http.Request, _ params) error {
	q := r.URL.Query()
	n, err := control.ParseMaxItems(q.Get("MaxItems"))
	if err != nil {
		return err
	}
	out, err := h.c.ListLayers(q.Get("Marker"), n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func listLayerVersions(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	q := r.URL.Query()
	n, err := control.ParseMaxItems(q.Get("MaxItems"))
	if err != nil {
		return err
	}
	out, err := h.c.ListLayerVersions(p["layer"], q.Get("Marker"), n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func layerVersionNumber(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, &control.Error{Type: control.ErrValidation, Message: "1 validation error detected: Value '" + s +
			"' at 'versionNumber' failed to satisfy constraint: Member must be a number"} // *unverified*
	}
	return n, nil
}

func getLayerVersion(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	n, err := layerVersionNumber(p["version"])
	if err != nil {
		return err
	}
	out, err := h.c.GetLayerVersion(p["layer"], n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func getLayerVersionByArn(h *Handler, w http.ResponseWriter, r *http.Request, _ params) error {
	out, err := h.c.GetLayerVersionByArn(r.URL.Query().Get("Arn"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func deleteLayerVersion(h *Handler, w http.ResponseWriter, r *http.Request, p params) error {
	n, err := layerVersionNumber(p["version"])
	if err != nil {
		return err
	}
	if err := h.c.DeleteLayerVersion(p["layer"], n); err != nil {
		return err
	}
	return noContent(w)
}
