package io.noah.api.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * RFC 9457 problems, built in one place: every error Noah answers has a stable {@code code}
 * (also in {@code type}: {@code urn:noah:problem:<code>}), a title, a detail for people, the request
 * path as {@code instance}, and for bad fields an {@code errors} list naming each field.
 */
@Component
public class Problems {

    private final JsonMapper json;

    public Problems(JsonMapper json) {
        this.json = json;
    }

    public record FieldError(String field, String message) {
    }

    public ProblemDetail of(int status, String code, String detail) {
        return of(status, code, null, detail, List.of());
    }

    public ProblemDetail of(int status, String code, String title, String detail, List<FieldError> errors) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(status), detail);
        p.setType(URI.create("urn:noah:problem:" + code));
        if (title != null) {
            p.setTitle(title);
        }
        p.setProperty("code", code);
        if (errors != null && !errors.isEmpty()) {
            p.setProperty("errors", errors);
        }
        return p;
    }

    /** For filters, which answer before Spring MVC's exception handling. */
    public void write(HttpServletRequest req, HttpServletResponse res, int status, String code, String title, String detail)
            throws IOException {
        if (res.isCommitted()) {
            return;
        }
        ProblemDetail p = of(status, code, title, detail, List.of());
        res.setStatus(status);
        res.setContentType("application/problem+json");
        res.setCharacterEncoding("UTF-8");
        if (status == 401) {
            res.setHeader("WWW-Authenticate", "Bearer realm=\"noah\"");
        }
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("type", p.getType().toString());
        body.put("title", p.getTitle());
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", req.getRequestURI());
        body.put("code", code);
        res.getWriter().write(json.writeValueAsString(body));
    }
}
