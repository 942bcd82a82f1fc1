package io.noah.api.web;

import io.noah.cluster.model.NoahException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.ConstraintViolationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.PropertyBindingException;

import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every error response of the API, mapped in one place to an RFC 9457 problem with a code. Spring
 * MVC's own exceptions (every one {@link ResponseEntityExceptionHandler} knows, now and in later
 * versions) get their 4xx status with a code; Noah's carry their {@link NoahException.Reason}; only
 * what nobody expected is a 500, logged with its stack trace.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    private final Problems problems;

    public ProblemHandler(Problems problems) {
        this.problems = problems;
    }

    private ProblemDetail at(ProblemDetail p, HttpServletRequest req) {
        try {
            p.setInstance(URI.create(req.getRequestURI()));
        } catch (IllegalArgumentException e) {
            // a request URI that is no URI: no instance
        }
        return p;
    }

    @ExceptionHandler(NoahException.class)
    ProblemDetail noah(NoahException e, HttpServletRequest req) {
        List<Problems.FieldError> errors = e.field() == null ? List.of() : List.of(new Problems.FieldError(e.field(), e.getMessage()));
        return at(problems.of(e.reason().status(), e.reason().code(), null, e.getMessage(), errors), req);
    }

    @ExceptionHandler(ConstraintViolationException.class)
    ProblemDetail constraint(ConstraintViolationException e, HttpServletRequest req) {
        List<Problems.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problems.FieldError(v.getPropertyPath().toString(), v.getMessage())).toList();
        return at(problems.of(400, "validation-failed", "Bad Request", "the request has invalid values", errors), req);
    }

    @ExceptionHandler(AccessDeniedException.class)
    ProblemDetail denied(AccessDeniedException e, HttpServletRequest req) {
        return at(problems.of(403, "forbidden", "Forbidden", e.getMessage(), List.of()), req);
    }

    /** Tomcat refuses a malformed query string (e.g. a parameter without a name) when it is first read. */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ProblemDetail malformedQuery(Exception e, HttpServletRequest req) {
        return at(problems.of(400, "bad-request", "Bad Request", "the query string is malformed", List.of()), req);
    }

    /** A NUL character (or another the database cannot store) in a parameter or field: the caller's input, not a bug. */
    @ExceptionHandler(org.springframework.dao.DataAccessException.class)
    ProblemDetail database(org.springframework.dao.DataAccessException e, HttpServletRequest req) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "22021".equals(sql.getSQLState())) {
                return at(problems.of(400, "invalid-character", "Bad Request",
                        "a parameter or field holds a character that cannot be stored (such as NUL)", List.of()), req);
            }
        }
        return unexpected(e, req);
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e, HttpServletRequest req) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.URISyntaxException) {
                // a name from the request that makes no Kubernetes API URL: the request DTOs check names, this is the
                // net under any that does not (logged, as it means a check is missing)
                log.warn("{} {}: a name in the request made no URL ({}); a name check is missing", req.getMethod(), req.getRequestURI(),
                        t.getMessage());
                return at(problems.of(400, "invalid-name", "Bad Request", "a name in the request is not a Kubernetes object name",
                        List.of()), req);
            }
        }
        log.error("unexpected error on {} {}", req.getMethod(), req.getRequestURI(), e);
        return at(problems.of(500, "internal-error", "Internal Server Error",
                "Noah failed unexpectedly; the error is logged", List.of()), req);
    }

    /** Every Spring MVC exception lands here with its status: the body becomes Noah's problem with a code. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers, HttpStatusCode status,
                                                             WebRequest request) {
        HttpServletRequest req = ((ServletWebRequest) request).getRequest();
        ProblemDetail p = at(problemFor(ex, status.value(), req), req);
        if (status.is5xxServerError()) {
            log.error("{} {} failed with {}", req.getMethod(), req.getRequestURI(), status.value(), ex);
        }
        return super.handleExceptionInternal(ex, p, headers, HttpStatusCode.valueOf(p.getStatus()), request);
    }

    private ProblemDetail problemFor(Exception ex, int status, HttpServletRequest req) {
        return switch (ex) {
            case MethodArgumentNotValidException e -> {
                List<Problems.FieldError> errors = e.getBindingResult().getFieldErrors().stream()
                        .map(f -> new Problems.FieldError(f.getField(), f.getDefaultMessage())).toList();
                yield problems.of(400, "validation-failed", "Bad Request",
                        "the request has invalid fields: " + errors.stream().map(Problems.FieldError::field).distinct()
                                .collect(Collectors.joining(", ")), errors);
            }
            case HandlerMethodValidationException e -> problems.of(400, "validation-failed", "Bad Request",
                    "the request has invalid parameters", e.getParameterValidationResults().stream()
                            .flatMap(r -> r.getResolvableErrors().stream().map(err -> new Problems.FieldError(
                                    r.getMethodParameter().getParameterName(), err.getDefaultMessage())))
                            .toList());
            case HttpMessageNotReadableException e -> unreadable(e);
            case MethodArgumentTypeMismatchException e -> problems.of(400, "invalid-parameter", "Bad Request",
                    "parameter '" + e.getName() + "' has an invalid value", List.of(new Problems.FieldError(e.getName(), "invalid value")));
            case TypeMismatchException e -> problems.of(400, "invalid-parameter", "Bad Request",
                    "parameter '" + e.getPropertyName() + "' has an invalid value",
                    List.of(new Problems.FieldError(String.valueOf(e.getPropertyName()), "invalid value")));
            case MissingServletRequestParameterException e -> problems.of(400, "missing-parameter", "Bad Request",
                    "parameter '" + e.getParameterName() + "' is required", List.of(new Problems.FieldError(e.getParameterName(), "required")));
            case NoHandlerFoundException e -> noRoute(req);
            case NoResourceFoundException e -> noRoute(req);
            case HttpRequestMethodNotSupportedException e -> problems.of(405, "method-not-allowed", "Method Not Allowed",
                    req.getMethod() + " is not supported here; allowed: " + e.getSupportedHttpMethods(), List.of());
            case HttpMediaTypeNotSupportedException e -> problems.of(415, "unsupported-media-type", "Unsupported Media Type",
                    "send the body as application/json", List.of());
            case HttpMediaTypeNotAcceptableException e -> problems.of(406, "not-acceptable", "Not Acceptable",
                    "this endpoint answers " + e.getSupportedMediaTypes(), List.of());
            case ServletRequestBindingException e -> problems.of(400, "bad-request", "Bad Request", e.getMessage(), List.of());
            case MaxUploadSizeExceededException e -> problems.of(413, "payload-too-large", "Payload Too Large",
                    "the request body is too large", List.of());
            case AsyncRequestTimeoutException e -> problems.of(503, "timeout", "Service Unavailable",
                    "the request took too long", List.of());
            default -> problems.of(status, codeFor(status), null,
                    status >= 500 ? "Noah failed unexpectedly; the error is logged" : "the request cannot be served: " + ex.getMessage(),
                    List.of());
        };
    }

    private ProblemDetail unreadable(HttpMessageNotReadableException e) {
        Throwable c = e.getCause();
        if (c instanceof PropertyBindingException pb) {
            return problems.of(400, "unknown-field", "Bad Request", "unknown field '" + pb.getPropertyName() + "'",
                    List.of(new Problems.FieldError(pb.getPropertyName(), "unknown field")));
        }
        if (c instanceof MismatchedInputException mi) {
            String field = mi.getPath().stream().map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return problems.of(400, "invalid-field-type", "Bad Request",
                    "field '" + field + "' has the wrong type or format", List.of(new Problems.FieldError(field, "wrong type or format")));
        }
        if (c instanceof JacksonException) {
            return problems.of(400, "malformed-json", "Bad Request", "the body is not valid JSON", List.of());
        }
        return problems.of(400, "unreadable-body", "Bad Request", "the request body is missing or unreadable", List.of());
    }

    private ProblemDetail noRoute(HttpServletRequest req) {
        return problems.of(404, "no-such-endpoint", "Not Found", "there is no endpoint at " + req.getRequestURI(), List.of());
    }

    /** A code for a status Noah has no more specific one for. */
    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad-request";
            case 404 -> "no-such-endpoint";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 409 -> "conflict";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            case 429 -> "too-many-requests";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal-error" : "bad-request";
        };
    }
}
