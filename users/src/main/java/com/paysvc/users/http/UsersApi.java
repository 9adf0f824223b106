package com.paysvc.users.http;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.Endpoint;
import com.paysvc.common.http.RequestId;
import com.paysvc.common.security.JwtGuard;
import com.paysvc.users.service.BulkService;
import com.paysvc.users.service.DictionaryService;
import com.paysvc.users.service.UserService;
import com.paysvc.users.store.AccountsStore.Dictionary;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;

import java.util.UUID;
import java.util.function.Function;

/**
 * The accounts routes, bound to the operations of openapi.yaml: the contract validates parameters and bodies
 * (→ 400 VALIDATION_ERROR) before a handler runs; every route first passes the JWT guard.
 */
public final class UsersApi {
  private static final int MAX_IDENTIFIER = 320;
  public static final String UPLOAD_PATH = "/accounts/users/bulk/upload";
  private final UserService users;
  private final DictionaryService dictionaries;
  private final BulkService bulk;
  private final UploadHandler upload;
  private final JwtGuard guard;

  public UsersApi(UserService users, DictionaryService dictionaries, BulkService bulk, UploadHandler upload, JwtGuard guard) {
    this.users = users;
    this.dictionaries = dictionaries;
    this.bulk = bulk;
    this.upload = upload;
    this.guard = guard;
  }

  public Router router(Vertx vertx, OpenAPIContract contract) {
    // Bodies were already read by the global BodyHandler: validate rc.body(), not the (consumed) request stream.
    RouterBuilder rb = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    rb.rootHandler(guard);
    // The guard above authenticates every route; the contract's security section documents it.
    rb.getRoutes().forEach(r -> r.setDoSecurity(false));

    on(rb, "createUser", rc -> {
      Access.require(rc, Scope.CREATE);
      return users.create(body(rc), Access.mayChangeAdmins(rc), RequestId.of(rc));
    }, 201);
    on(rb, "listUsers", rc -> {
      Access.require(rc, Scope.READ);
      return users.users(intParam(rc, "page", 1), intParam(rc, "size", 20));
    }, 200);
    // getUserByIdentifier and getUser are served by hotRoutes, ahead of this router.
    on(rb, "updateUser", rc -> {
      JsonObject b = body(rc);
      Access.require(rc, isDeactivation(b) ? Scope.DEACTIVATE : Scope.WRITE);
      return users.update(uuid(rc.pathParam("user_id")), b.getJsonObject("profile"), b.getBoolean("is_active"), RequestId.of(rc));
    }, 200);
    on(rb, "bulkCreateUsers", rc -> {
      Access.require(rc, Scope.WRITE);
      JsonObject b = body(rc);
      return bulk.createAll(b.getJsonArray("users"), b.getString("interface"), Access.mayChangeAdmins(rc), RequestId.of(rc))
        .map(JsonObject::toBuffer);
    }, 200);
    // Vert.x wants a route's BodyHandler before its other handlers, yet the upload must be authorised (and given one
    // of the instance's upload slots) before 10 MB are spooled to disk: the guard, the role check and the slot run on
    // a route of their own in front of the contract's router, then the upload's BodyHandler, then the contract's
    // route (body validation off: multipart).
    Router outer = Router.router(vertx);
    // The stream is paused until the BodyHandler takes it: the guard's async checks would otherwise lose the body.
    outer.post(UPLOAD_PATH).handler(rc -> {
      rc.request().pause();
      upload.drainUnreadBodyAtEnd(rc);
      rc.next();
    }).handler(guard).handler(rc -> {
      Access.require(rc, Scope.WRITE);
      rc.next();
    }).handler(upload::holdSlot);
    outer.post(UPLOAD_PATH).handler(upload.bodyHandler());
    OpenAPIRoute uploadRoute = rb.getRoute("uploadUsers");
    uploadRoute.setDoValidation(false);
    uploadRoute.addHandler(handler(upload::upload, 200));

    on(rb, "addContact", rc -> {
      Access.require(rc, Scope.WRITE);
      JsonObject b = body(rc);
      return users.addContact(uuid(b.getString("user_id")), b.getString("type"), b.getString("value"), RequestId.of(rc));
    }, 201);
    on(rb, "listUserContacts", rc -> {
      UUID id = uuid(rc.pathParam("user_id"));
      Access.requireOrSelf(rc, Scope.READ, id);
      return users.userContacts(id);
    }, 200);
    on(rb, "getContact", rc -> {
      var owner = Access.requireOrOwner(rc, Scope.READ, "user_id");
      return users.contact(uuid(rc.pathParam("contact_id"))).compose(owner);
    }, 200);
    on(rb, "updateContact", rc -> {
      Access.require(rc, Scope.WRITE);
      JsonObject b = body(rc);
      return users.updateContact(uuid(rc.pathParam("contact_id")), b.getString("value"), b.getBoolean("is_active"), RequestId.of(rc));
    }, 200);
    // auth's compensation of a failed registration deactivates the user and releases its contacts.
    on(rb, "deleteContact", rc -> {
      Access.require(rc, Scope.DEACTIVATE);
      return users.deleteContact(uuid(rc.pathParam("contact_id")), RequestId.of(rc));
    }, 200);

    on(rb, "listMemberships", rc -> {
      UUID id = uuid(rc.queryParams().get("user_id"));
      Access.requireOrSelf(rc, Scope.READ, id);
      return users.memberships(id);
    }, 200);
    on(rb, "getMembership", rc -> {
      UUID id = uuid(rc.pathParam("user_id"));
      Access.requireOrSelf(rc, Scope.READ, id);
      return users.membership(id, uuid(rc.pathParam("group_id")));
    }, 200);
    on(rb, "addMembership", rc -> {
      Access.require(rc, Scope.WRITE);
      JsonObject b = body(rc);
      return users.addMembership(uuid(b.getString("user_id")), uuid(b.getString("group_id")), Access.mayChangeAdmins(rc),
        RequestId.of(rc));
    }, 201);
    on(rb, "deleteMembership", rc -> {
      Access.require(rc, Scope.WRITE);
      return users.deleteMembership(uuid(rc.pathParam("user_id")), uuid(rc.pathParam("group_id")), Access.mayChangeAdmins(rc),
        RequestId.of(rc));
    }, 200);

    dictionary(rb, Dictionary.USER_GROUPS, "UserGroup", "UserGroups");
    dictionary(rb, Dictionary.CONTACT_TYPES, "ContactType", "ContactTypes");
    outer.route("/*").subRouter(rb.createRouter());
    return outer;
  }

  /** The paths {@link #hotRoutes} serves (GET only). */
  public static final String BY_IDENTIFIER_PATH = "/accounts/users/by-identifier";
  static final String USER_PATH = "/accounts/users/:user_id";

  /**
   * The two hottest reads, bound on the service's top router ahead of body handling, the ops routes and the contract's
   * router (three nested routers and some twenty route matches per request). Their parameters are checked here, to
   * the contract's rules: vertx-openapi 5.0.8 decodes query values a second time and coerces them to JSON ("+1"
   * becomes a number, "%" fails to decode), and its validator cost a third of the cached read's throughput to check
   * one path parameter that {@link #uuid} checks to the same rule. Every caller is authenticated first (the guard).
   */
  public void hotRoutes(Router router) {
    router.get(BY_IDENTIFIER_PATH).handler(guard).handler(handler(rc -> {
      if (includeInactive(rc)) {
        Access.require(rc, Scope.READ);
        return users.userByIdentifierIncludingInactive(identifier(rc));
      }
      var owner = Access.requireOrOwner(rc, Scope.LOOKUP, "id");
      return users.userByIdentifier(identifier(rc)).compose(owner);
    }, 200));
    router.get(USER_PATH).handler(guard).handler(handler(rc -> {
      UUID id = uuid(rc.pathParam("user_id"));
      Access.requireOrSelf(rc, Scope.READ, id);
      return users.user(id);
    }, 200));
  }

  private void dictionary(RouterBuilder rb, Dictionary d, String singular, String plural) {
    // Readable by any authenticated caller: no access step.
    on(rb, "list" + plural, rc -> dictionaries.list(d), 200);
    on(rb, "create" + singular, rc -> {
      Access.require(rc, Scope.WRITE);
      JsonObject b = body(rc);
      if (d == Dictionary.USER_GROUPS) {
        Access.requireAdminToName(rc, b.getString("name"));
      }
      return dictionaries.create(d, b.getString("name"), b.getString("description"));
    }, 201);
    on(rb, "update" + singular, rc -> {
      Access.require(rc, Scope.WRITE);
      JsonObject b = body(rc);
      if (d == Dictionary.USER_GROUPS) {
        Access.requireAdminToName(rc, b.getString("name"));
      }
      return dictionaries.update(d, uuid(rc.pathParam("id")), b.getString("name"), b.getString("description"));
    }, 200);
    rb.getRoute("delete" + singular).addHandler(rc -> {
      try {
        Access.require(rc, Scope.WRITE);
        dictionaries.delete(d, uuid(rc.pathParam("id")))
          .onSuccess(v -> rc.response().setStatusCode(204).end())
          .onFailure(rc::fail);
      } catch (ApiException e) {
        rc.fail(e);
      }
    });
  }

  /** Binds an operation whose result is a JSON body, written as is (no re-serialisation). */
  private static void on(RouterBuilder rb, String operationId, Function<RoutingContext, Future<Buffer>> action, int status) {
    rb.getRoute(operationId).addHandler(handler(action, status));
  }

  static Handler<RoutingContext> handler(Function<RoutingContext, Future<Buffer>> action, int status) {
    return Endpoint.json(action, status);
  }

  private static JsonObject body(RoutingContext rc) {
    JsonObject b = rc.body().asJsonObject();
    if (b == null) {
      throw ApiException.validation("a JSON object body is required");
    }
    return b;
  }

  /** {@code PATCH /users/{id}} of exactly {@code {"is_active": false}}: what auth's compensation sends. */
  private static boolean isDeactivation(JsonObject patch) {
    return patch.size() == 1 && Boolean.FALSE.equals(patch.getValue("is_active"));
  }

  /** The contract's range check has run; this catches what it lets through as an integer ("20.0", "2e1"). */
  private static int intParam(RoutingContext rc, String name, int dflt) {
    String v = rc.queryParams().get(name);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw ApiException.validation(name + " must be a whole number");
    }
  }

  /**
   * A canonical 8-4-4-4-12 UUID of ASCII hex digits. UUID.fromString alone also takes short or shifted forms
   * ("1-1-1-1-1", dashes elsewhere), a leading '+' and non-ASCII digits, which would name a different id.
   */
  private static UUID uuid(String s) {
    if (!isCanonicalUuid(s)) {
      throw ApiException.validation("not a UUID: " + s);
    }
    return UUID.fromString(s);
  }

  private static boolean isCanonicalUuid(String s) {
    if (s == null || s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      boolean ok = (i == 8 || i == 13 || i == 18 || i == 23)
        ? c == '-'
        : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** {@code include_inactive}: absent or {@code false} → false, {@code true} → true, anything else → 400. */
  private static boolean includeInactive(RoutingContext rc) {
    String v = rc.queryParams().get("include_inactive");
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.equals("true")) {
      return true;
    }
    throw ApiException.validation("include_inactive must be true or false");
  }

  /**
   * The identifier as sent. An unencoded '+' of a phone arrives as a space (form decoding); a stored contact
   * never starts with a space (values are trimmed), so a leading space before digits is restored to '+'.
   */
  static String identifier(RoutingContext rc) {
    String id = rc.queryParams().get("identifier");
    if (id == null || id.isEmpty() || id.length() > MAX_IDENTIFIER) {
      throw ApiException.validation("identifier is required (1 to " + MAX_IDENTIFIER + " characters)");
    }
    if (id.indexOf(0) >= 0) {
      // Postgres text cannot hold NUL; no stored identifier contains one.
      throw ApiException.notFound("user");
    }
    if (id.length() > 1 && id.charAt(0) == ' ' && id.substring(1).chars().allMatch(Character::isDigit)) {
      return "+" + id.substring(1);
    }
    return id;
  }
}
