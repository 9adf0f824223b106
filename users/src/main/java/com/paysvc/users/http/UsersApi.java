package com.paysvc.users.http;

import com.paysvc.common.http.AccessRule;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.Endpoint;
import com.paysvc.common.http.Operations;
import com.paysvc.common.http.RequestId;
import com.paysvc.common.http.UnreadBody;
import com.paysvc.users.service.Admins;
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
import io.vertx.openapi.contract.OpenAPIContract;

import java.util.Map;
import java.util.Set;
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
  /** Authentication: the JWT guard. */
  private final Handler<RoutingContext> guard;
  /** The admin membership as the primary has it, for writes admitted by the admin role. */
  private final Admins admins;

  public UsersApi(UserService users, DictionaryService dictionaries, BulkService bulk, UploadHandler upload,
                  Handler<RoutingContext> guard, Admins admins) {
    this.users = users;
    this.dictionaries = dictionaries;
    this.bulk = bulk;
    this.upload = upload;
    this.guard = guard;
    this.admins = admins;
  }

  /**
   * The operations whose requests the contract does not validate, and what checks them instead (the only place that
   * turns validation off; UsersRoutesTest asserts the list).
   */
  static final Map<String, String> UNVALIDATED = Map.of(
    "uploadUsers", "a multipart file (CSV or workbook): UploadHandler checks the part, UserFileParser every row",
    "getUserByIdentifier", "a hot route (hotRoutes), ahead of the contract's router: identifier and include_inactive "
      + "are checked by hand to the contract's rules (vertx-openapi 5.0.8 decodes query values a second time)",
    "getUser", "a hot route (hotRoutes), ahead of the contract's router: user_id is checked by hand to the contract's "
      + "rule (the validator cost a third of the cached read's throughput)");

  /** The access rules of the routes, built once. */
  private static final class Rules {
    static final AccessRule CREATOR = Access.scope(Scope.CREATE);
    static final AccessRule READER = Access.scope(Scope.READ);
    static final AccessRule WRITER = Access.scope(Scope.WRITE);
    static final AccessRule DEACTIVATOR = Access.scope(Scope.DEACTIVATE);
    /** {@code {"is_active": false}} alone is a deactivation (auth's compensation sends it); any other patch a write. */
    static final AccessRule PATCHER = Access.scope("deactivation: " + Scope.DEACTIVATE.who + "; else " + Scope.WRITE.who,
      rc -> isDeactivation(body(rc)) ? Scope.DEACTIVATE : Scope.WRITE);
    static final AccessRule LOOKUP_OR_OWNER = Access.lookupOrOwner();
    static final AccessRule CONTACT_READER = Access.ownerOr(Scope.READ, "contacts");
    static final AccessRule READER_OR_SELF_IN_PATH = Access.selfOr(Scope.READ, rc -> uuid(rc.pathParam("user_id")));
    static final AccessRule READER_OR_SELF_IN_QUERY = Access.selfOr(Scope.READ, rc -> uuid(rc.queryParams().get("user_id")));
    /** Inactive users are for readers; a lookup of an active one for lookups too, and for the user itself. */
    static final AccessRule BY_IDENTIFIER = AccessRule.either(
      "include_inactive=true: " + Scope.READ.who + "; else " + LOOKUP_OR_OWNER.who(),
      rc -> includeInactive(rc) ? READER : LOOKUP_OR_OWNER);
  }

  public Router router(Vertx vertx, OpenAPIContract contract) {
    return operations(vertx, contract).router();
  }

  /**
   * The route table: every operation of the contract with the status it answers, who may call it and its action. The
   * upload's steps ahead of its body go in front of the contract's router.
   */
  Operations operations(Vertx vertx, OpenAPIContract contract) {
    Operations ops = new Operations(vertx, contract, UNVALIDATED);
    // Every request into the contract's router is authenticated first (a valid access token); each operation's rule
    // then says who may call it.
    ops.rootHandler(guard);
    // Every write's action is wrapped in write(): a caller admitted by the admin role is confirmed on the primary first.
    ops.json("createUser", 201, Rules.CREATOR,
      write(rc -> users.create(body(rc), Access.mayChangeAdmins(rc), RequestId.of(rc))));
    ops.json("listUsers", 200, Rules.READER,
      rc -> users.users(intParam(rc, "page", 1), intParam(rc, "size", 20)));
    // The two hot reads are bound by hotRoutes, ahead of this router, with these rules.
    ops.servedElsewhere("getUserByIdentifier", Rules.BY_IDENTIFIER);
    ops.servedElsewhere("getUser", Rules.READER_OR_SELF_IN_PATH);
    ops.json("updateUser", 200, Rules.PATCHER, write(rc -> {
      JsonObject b = body(rc);
      return users.update(uuid(rc.pathParam("user_id")), b.getValue("profile"), b.getBoolean("is_active"), RequestId.of(rc));
    }));
    ops.json("bulkCreateUsers", 200, Rules.WRITER, write(rc -> {
      JsonObject b = body(rc);
      return bulk.createAll(b.getJsonArray("users"), b.getString("interface"), Access.mayChangeAdmins(rc), RequestId.of(rc))
        .map(JsonObject::toBuffer);
    }));
    // Vert.x wants a route's BodyHandler before its other handlers, yet the upload must be authorised (and given one
    // of the instance's upload slots) before 10 MB are spooled to disk: the guard, the rule, the type (415), the admin
    // check and the slot run on a route of their own in front of the contract's router, then the upload's BodyHandler
    // under its time limit, then the contract's route (where the rule, checked again, admits the same caller).
    // The stream is paused until the BodyHandler takes it: the guard's async checks would otherwise lose the body. A
    // body refused before it is read ends its connection after the answer, what arrives meanwhile dropped up to the
    // upload's own cap: a writer refused mid-file (403, 415, 429) reads its answer, not a reset.
    ops.ahead().post(UPLOAD_PATH).handler(rc -> {
      rc.request().pause();
      UnreadBody.closeAfterAnswer(rc, UploadHandler.MAX_BODY_BYTES);
      rc.next();
    }).handler(guard).handler(rc -> {
      Rules.WRITER.admitWithoutAnswer(rc);
      rc.next();
    }).handler(upload::requireMultipart).handler(rc -> Access.confirmAdmin(rc, admins).onComplete(ar -> {
      if (ar.succeeded()) {
        rc.next();
      } else {
        rc.fail(ar.cause());
      }
    })).handler(upload::holdSlot);
    ops.ahead().post(UPLOAD_PATH).handler(upload.bodyHandler()).handler(upload::received);
    // Not wrapped in write(): the steps ahead confirmed an admin caller before the body was read.
    ops.json("uploadUsers", 200, Rules.WRITER, upload::upload);

    ops.json("addContact", 201, Rules.WRITER, write(rc -> {
      JsonObject b = body(rc);
      return users.addContact(uuid(b.getString("user_id")), b.getString("type"), b.getString("value"), RequestId.of(rc));
    }));
    ops.json("listUserContacts", 200, Rules.READER_OR_SELF_IN_PATH,
      rc -> users.userContacts(uuid(rc.pathParam("user_id"))));
    ops.json("getContact", 200, Rules.CONTACT_READER, rc -> {
      UUID id = uuid(rc.pathParam("contact_id"));
      UUID self = Access.confinedTo(rc, Scope.READ);
      return self == null ? users.contact(id) : users.ownContact(self, id);
    });
    ops.json("updateContact", 200, Rules.WRITER, write(rc -> {
      JsonObject b = body(rc);
      return users.updateContact(uuid(rc.pathParam("contact_id")), b.getString("value"), b.getBoolean("is_active"), RequestId.of(rc));
    }));
    // auth's compensation of a failed registration deactivates the user and releases its contacts.
    ops.json("deleteContact", 200, Rules.DEACTIVATOR,
      write(rc -> users.deleteContact(uuid(rc.pathParam("contact_id")), RequestId.of(rc))));

    ops.json("listMemberships", 200, Rules.READER_OR_SELF_IN_QUERY,
      rc -> users.memberships(uuid(rc.queryParams().get("user_id"))));
    ops.json("getMembership", 200, Rules.READER_OR_SELF_IN_PATH,
      rc -> users.membership(uuid(rc.pathParam("user_id")), uuid(rc.pathParam("group_id"))));
    ops.json("addMembership", 201, Rules.WRITER, write(rc -> {
      JsonObject b = body(rc);
      return users.addMembership(uuid(b.getString("user_id")), uuid(b.getString("group_id")), Access.mayChangeAdmins(rc),
        RequestId.of(rc));
    }));
    ops.json("deleteMembership", 200, Rules.WRITER,
      write(rc -> users.deleteMembership(uuid(rc.pathParam("user_id")), uuid(rc.pathParam("group_id")), Access.mayChangeAdmins(rc),
        RequestId.of(rc))));

    dictionary(ops, Dictionary.USER_GROUPS, "UserGroup", "UserGroups");
    dictionary(ops, Dictionary.CONTACT_TYPES, "ContactType", "ContactTypes");
    return ops;
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
    Function<RoutingContext, Future<Buffer>> byIdentifier = Rules.BY_IDENTIFIER.guarding(this::byIdentifier);
    router.get(BY_IDENTIFIER_PATH).handler(guard).handler(handler(rc -> {
      BY_IDENTIFIER_QUERY.check(rc);
      return byIdentifier.apply(rc);
    }, 200));
    Function<RoutingContext, Future<Buffer>> user = Rules.READER_OR_SELF_IN_PATH.guarding(
      rc -> users.user(uuid(rc.pathParam("user_id"))));
    router.get(USER_PATH).handler(guard).handler(handler(rc -> {
      NO_QUERY.check(rc);
      return user.apply(rc);
    }, 200));
  }

  /**
   * The platform's rule for query parameters a route does not define, the contract router's ({@link Operations.QueryRule}):
   * 400 naming it, and a defined one given twice. The contract defines {@code identifier} and {@code include_inactive}
   * on by-identifier, spelled so (names are case-sensitive in the contract, though Vert.x looks them up ignoring case),
   * and none on {@code GET /users/{user_id}}.
   */
  private static final Operations.QueryRule BY_IDENTIFIER_QUERY = Operations.QueryRule.of(Set.of("identifier", "include_inactive"));
  private static final Operations.QueryRule NO_QUERY = Operations.QueryRule.of(Set.of());

  /** A plain user's lookup reads only its own record (Access.confinedTo): anyone else's identifier reads as nobody's. */
  private Future<Buffer> byIdentifier(RoutingContext rc) {
    String identifier = identifier(rc);
    if (includeInactive(rc)) {
      return users.userByIdentifierIncludingInactive(identifier);
    }
    UUID self = Access.confinedTo(rc, Scope.LOOKUP);
    return self == null ? users.userByIdentifier(identifier) : users.ownUserByIdentifier(self, identifier);
  }

  private void dictionary(Operations ops, Dictionary d, String singular, String plural) {
    ops.json("list" + plural, 200, Access.ANY_CALLER, rc -> dictionaries.list(d));
    // Naming a group admin is for an admin only (Access.requireAdminToName), whatever the caller's scopes.
    ops.json("create" + singular, 201, Rules.WRITER, write(rc -> {
      JsonObject b = body(rc);
      if (d == Dictionary.USER_GROUPS) {
        Access.requireAdminToName(rc, b.getString("name"));
      }
      return dictionaries.create(d, b.getString("name"), b.getString("description"));
    }));
    ops.json("update" + singular, 200, Rules.WRITER, write(rc -> {
      JsonObject b = body(rc);
      if (d == Dictionary.USER_GROUPS) {
        Access.requireAdminToName(rc, b.getString("name"));
      }
      return dictionaries.update(d, uuid(rc.pathParam("id")), b.getString("name"), b.getString("description"),
        RequestId.of(rc));
    }));
    ops.answer("delete" + singular, Rules.WRITER, write(rc -> dictionaries.delete(d, uuid(rc.pathParam("id")))),
      (rc, v) -> rc.response().setStatusCode(204).end());
  }

  /**
   * A write's action behind the admin check: a caller the rule admitted by the admin role is confirmed an active admin
   * on the primary first ({@link Access#confirmAdmin}), then the action runs. Service clients: no query.
   */
  private <T> Function<RoutingContext, Future<T>> write(Function<RoutingContext, Future<T>> action) {
    return rc -> Access.confirmAdmin(rc, admins).compose(v -> action.apply(rc));
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
