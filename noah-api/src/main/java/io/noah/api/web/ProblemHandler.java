package io.noah.api.web;

import io.noah.cluster.model.NoahException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.ConstraintViolationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ProblemDetail;
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
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.PropertyBindingException;

import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;

/** Every error response of the API, mapped in one place to an RFC 9457 problem with a code. */
@RestControllerAdvice
public class ProblemHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    private final Problems problems;

    public ProblemHandler(Problems problems) {
        this.problems = problems;
    }

    private ProblemDetail at(ProblemDetail p, HttpServletRequest req) {
        p.setInstance(URI.create(req.getRequestURI()));
        return p;
    }

    @ExceptionHandler(NoahException.class)
    ProblemDetail noah(NoahException e, HttpServletRequest req) {
        List<Problems.FieldError> errors = e.field() == null ? List.of() : List.of(new Problems.FieldError(e.field(), e.getMessage()));
        return at(problems.of(e.reason().status(), e.reason().code(), null, e.getMessage(), errors), req);
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ProblemDetail invalidBody(MethodArgumentNotValidException e, HttpServletRequest req) {
        List<Problems.FieldError> errors = e.getBindingResult().getFieldErrors().stream()
                .map(f -> new Problems.FieldError(f.getField(), f.getDefaultMessage())).toList();
        return at(problems.of(400, "validation-failed", "Bad Request",
                "the request has invalid fields: " + errors.stream().map(Problems.FieldError::field).distinct()
                        .collect(Collectors.joining(", ")), errors), req);
    }

    @ExceptionHandler(HandlerMethodValidationException.class)
    ProblemDetail invalidParameters(HandlerMethodValidationException e, HttpServletRequest req) {
        List<Problems.FieldError> errors = e.getParameterValidationResults().stream()
                .flatMap(r -> r.getResolvableErrors().stream().map(err -> new Problems.FieldError(
                        r.getMethodParameter().getParameterName(), err.getDefaultMessage())))
                .toList();
        return at(problems.of(400, "validation-failed", "Bad Request", "the request has invalid parameters", errors), req);
    }

    @ExceptionHandler(ConstraintViolationException.class)
    ProblemDetail constraint(ConstraintViolationException e, HttpServletRequest req) {
        List<Problems.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problems.FieldError(v.getPropertyPath().toString(), v.getMessage())).toList();
        return at(problems.of(400, "validation-failed", "Bad Request", "the request has invalid values", errors), req);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ProblemDetail unreadable(HttpMessageNotReadableException e, HttpServletRequest req) {
        Throwable c = e.getCause();
        if (c instanceof PropertyBindingException pb) {
            return at(problems.of(400, "unknown-field", "Bad Request", "unknown field '" + pb.getPropertyName() + "'",
                    List.of(new Problems.FieldError(pb.getPropertyName(), "unknown field"))), req);
        }
        if (c instanceof InvalidFormatException || c instanceof MismatchedInputException) {
            MismatchedInputException mi = (MismatchedInputException) c;
            String field = mi.getPath().stream().map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return at(problems.of(400, "invalid-field-type", "Bad Request",
                    "field '" + field + "' has the wrong type or format", List.of(new Problems.FieldError(field, "wrong type or format"))), req);
        }
        if (c instanceof JacksonException) {
            return at(problems.of(400, "malformed-json", "Bad Request", "the body is not valid JSON", List.of()), req);
        }
        return at(problems.of(400, "unreadable-body", "Bad Request", "the request body is missing or unreadable", List.of()), req);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest req) {
        return at(problems.of(400, "invalid-parameter", "Bad Request",
                "parameter '" + e.getName() + "' has an invalid value", List.of(new Problems.FieldError(e.getName(), "invalid value"))), req);
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ProblemDetail missing(MissingServletRequestParameterException e, HttpServletRequest req) {
        return at(problems.of(400, "missing-parameter", "Bad Request", "parameter '" + e.getParameterName() + "' is required",
                List.of(new Problems.FieldError(e.getParameterName(), "required"))), req);
    }

    @ExceptionHandler({NoHandlerFoundException.class, NoResourceFoundException.class})
    ProblemDetail noRoute(Exception e, HttpServletRequest req) {
        return at(problems.of(404, "no-such-endpoint", "Not Found", "there is no endpoint at " + req.getRequestURI(), List.of()), req);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ProblemDetail method(HttpRequestMethodNotSupportedException e, HttpServletRequest req) {
        return at(problems.of(405, "method-not-allowed", "Method Not Allowed",
                req.getMethod() + " is not supported here; allowed: " + e.getSupportedHttpMethods(), List.of()), req);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ProblemDetail mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest req) {
        return at(problems.of(415, "unsupported-media-type", "Unsupported Media Type",
                "send the body as application/json", List.of()), req);
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ProblemDetail notAcceptable(HttpMediaTypeNotAcceptableException e, HttpServletRequest req) {
        return at(problems.of(406, "not-acceptable", "Not Acceptable", "this endpoint answers application/json", List.of()), req);
    }

    @ExceptionHandler(AccessDeniedException.class)
    ProblemDetail denied(AccessDeniedException e, HttpServletRequest req) {
        return at(problems.of(403, "forbidden", "Forbidden", e.getMessage(), List.of()), req);
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e, HttpServletRequest req) {
        log.error("unexpected error on {} {}", req.getMethod(), req.getRequestURI(), e);
        return at(problems.of(500, "internal-error", "Internal Server Error",
                "Noah failed unexpectedly; the error is logged", List.of()), req);
    }
}
