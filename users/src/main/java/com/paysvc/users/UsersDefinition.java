package com.paysvc.users;

import com.paysvc.common.config.Setting;
import com.paysvc.common.config.Topology;
import com.paysvc.common.launch.Dependency;
import com.paysvc.common.launch.ServiceContext;
import com.paysvc.common.launch.ServiceDefinition;
import com.paysvc.common.security.GuardSettings;
import com.paysvc.common.security.JwtGuard;
import com.paysvc.users.http.UploadHandler;
import com.paysvc.users.http.UsersApi;
import com.paysvc.users.service.Admins;
import com.paysvc.users.service.BulkService;
import com.paysvc.users.service.CachedReads;
import com.paysvc.users.service.CachedWrites;
import com.paysvc.users.service.DictionaryService;
import com.paysvc.users.service.ProfileBounds;
import com.paysvc.users.service.UserEvents;
import com.paysvc.users.service.UserFileParser;
import com.paysvc.users.service.UserService;
import com.paysvc.users.store.AccountsStore;
import com.paysvc.users.store.UserCache;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.openapi.contract.OpenAPIContract;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The users service, database users; its port, gateway prefix and Redis database are in topology.env. */
public final class UsersDefinition implements ServiceDefinition {
  static final Setting<Integer> CACHE_TIMEOUT_MS = Setting.integer("USERS_CACHE_TIMEOUT_MS", 100, 5, 5000,
    "a Redis cache call slower than this is abandoned and the read served from Postgres");
  static final Setting<String> CACHE_NAMESPACE = new Setting<>("USERS_CACHE_NAMESPACE",
    "prefix of every users cache key in Redis db 1 (empty: the keys of SPEC §4)", "", false, v -> v);
  // Anyone can make users look up identifiers nobody has (a login names one): their cached 404s need a bound. An entry
  // (Redis MEMORY USAGE of its key) takes 104 bytes for a phone and 1 080 at most (320 characters of 3 UTF-8 bytes
  // each); 2 000 per window, so 4 000 live at most, is under 4.5 MB at worst and far more than the platform's own
  // clients miss (webhook's unknown payers, mistyped logins).
  static final Setting<Integer> CACHE_UNKNOWN_MAX = Setting.integer("USERS_CACHE_UNKNOWN_MAX", 2000, 0, 1_000_000,
    "cached 404s (identifiers nobody has) stored per 30 s window, counted across instances; past it a miss is answered"
      + " but not cached, so at most twice this many exist at once (0: none cached)");
  static final Setting<Integer> INVALIDATION_SWEEP_MS = Setting.integer("USERS_INVALIDATION_SWEEP_MS", 5000, 100,
    3_600_000, "how often recorded cache invalidations that Redis missed (another instance's, or this one's before a"
      + " restart) are looked for and sent again; each instance also sends them on start");
  static final Setting<String> UPLOADS_DIR = Setting.string("USERS_UPLOADS_DIR", ".uploads",
    "where bulk-upload files are spooled while being parsed (deleted after each request); made rwx------ at startup."
      + " Relative to the working directory: the service's own, not the shared /tmp");
  // The worst workbook within UserFileParser's limits takes some 50 MB of heap while it is read (measured: the worst
  // .xlsx parses in a 64 MB heap, the worst .xls in 48, JVM and POI included): two at once fit beside the service in
  // the 192 MB heap bin/stack and the image give it, and -XX:+ExitOnOutOfMemoryError makes an overrun a crash.
  static final Setting<Integer> MAX_CONCURRENT_UPLOADS = Setting.integer("USERS_MAX_CONCURRENT_UPLOADS", 2, 1, 64,
    "bulk uploads an instance spools and parses at once; more are refused with 429 before their body is read");
  // A slot is held while the file arrives: a sender that never finishes (a byte a minute passes the idle timeout) held
  // it for good. 60 s lets a 10 MB file through at 1.4 Mbit/s, far below any link an operator uploads from.
  static final Setting<Integer> UPLOAD_TIME_LIMIT_SECONDS = Setting.integer("USERS_UPLOAD_TIME_LIMIT_SECONDS", 60, 1,
    3600, "longest a bulk upload's file may take to arrive once it holds a slot; past it: 400 FILE_UPLOAD_ERROR, the"
      + " slot released and the partial file deleted");
  // Profile bounds (ProfileBounds). A real profile is a few dozen short fields (name, birth date, an address of five
  // or six, preferences, a source): some 1-2 KiB as stored. 8 KiB leaves room four times over, yet a user's detail
  // then stays small in each of its cache copies and events; 4 levels hold {"address": {"geo": {...}}} and a list of
  // objects ({"phones": [{...}]}); 64 keys at all levels is three times the fields above. The size is the stored
  // jsonb text's; the database caps any profile at 64 KiB (ProfileBounds.HARD_CAP_BYTES), above the most this allows.
  static final Setting<Integer> PROFILE_MAX_BYTES = Setting.integer("USERS_PROFILE_MAX_BYTES", 8192, 256, 32_768,
    "largest profile a write may store, in UTF-8 bytes of its JSON text as stored (create, PATCH after the merge, bulk,"
      + " upload, auth's sign-up); over it: 413 PAYLOAD_TOO_LARGE");
  static final Setting<Integer> PROFILE_MAX_DEPTH = Setting.integer("USERS_PROFILE_MAX_DEPTH", 4, 1, 16,
    "deepest nesting of objects and arrays in a profile, the profile itself counting 1; deeper: 400 VALIDATION_ERROR");
  static final Setting<Integer> PROFILE_MAX_KEYS = Setting.integer("USERS_PROFILE_MAX_KEYS", 64, 1, 1024,
    "most keys a profile may hold, counted over its objects at every level; more: 400 VALIDATION_ERROR");

  private volatile UsersApi api;
  private volatile OpenAPIContract contract;

  @Override
  public String name() {
    return "users";
  }

  /** users' own Redis is the cache's instance (maxmemory + LRU, no persistence), never the security state's. */
  @Override
  public int defaultRedisPort() {
    return Topology.integer("REDIS_CACHE_PORT");
  }

  @Override
  public Set<String> uploadPaths() {
    return Set.of(UsersApi.UPLOAD_PATH);
  }

  /**
   * Everything: the primary (writes, read-your-writes), the replica (the by-identifier and detail reads), Redis db 1
   * (the cache) and events (the outbox of user.created/updated/deactivated/roles_changed).
   */
  @Override
  public Set<Dependency> dependencies() {
    return EnumSet.of(Dependency.PRIMARY, Dependency.REPLICA, Dependency.REDIS, Dependency.EVENTS);
  }

  @Override
  public Set<String> defaultReadyRequires() {
    // Nothing: an instance that is up serves what it can. Redis is only a cache (reads fall back to Postgres), the
    // replica falls back to the primary, and while the primary is away (a failover) cached and replica reads still
    // work; writes answer 503 one by one. Requiring the primary made HAProxy take every users instance out of the
    // gateway during a failover, so that reads failed too (bin/stack drill failover: 1 706 reads answered 503).
    // /health/ready still reports each dependency with its status.
    return Set.of();
  }

  @Override
  public List<Setting<?>> extraSettings() {
    List<Setting<?>> all = new ArrayList<>(GuardSettings.all());
    all.add(CACHE_TIMEOUT_MS);
    all.add(CACHE_NAMESPACE);
    all.add(CACHE_UNKNOWN_MAX);
    all.add(INVALIDATION_SWEEP_MS);
    all.add(UPLOADS_DIR);
    all.add(MAX_CONCURRENT_UPLOADS);
    all.add(UPLOAD_TIME_LIMIT_SECONDS);
    all.add(PROFILE_MAX_BYTES);
    all.add(PROFILE_MAX_DEPTH);
    all.add(PROFILE_MAX_KEYS);
    return all;
  }

  @Override
  public Future<Void> init(ServiceContext ctx) {
    var vertx = ctx.vertx();
    AccountsStore store = new AccountsStore();
    UserCache cache = new UserCache(vertx, ctx.redis(), ctx.registry(), ctx.config().get(CACHE_TIMEOUT_MS),
      ctx.config().get(CACHE_NAMESPACE), ctx.config().get(CACHE_UNKNOWN_MAX));
    CachedReads reads = new CachedReads(ctx.db(), cache);
    CachedWrites writes = new CachedWrites(vertx, ctx.db(), reads);
    ctx.onClose(writes::stop);
    UserEvents events = new UserEvents(ctx.outbox(), name());
    ProfileBounds profiles = new ProfileBounds(ctx.config().get(PROFILE_MAX_BYTES), ctx.config().get(PROFILE_MAX_DEPTH),
      ctx.config().get(PROFILE_MAX_KEYS));
    UserService users = new UserService(ctx.db(), store, reads, writes, events, profiles);
    BulkService bulk = new BulkService(users);
    JwtGuard guard = JwtGuard.create(vertx, ctx.config(), ctx.registry());
    ctx.onClose(guard::close);
    ctx.authenticateFirst(guard);
    String uploads = Path.of(ctx.config().get(UPLOADS_DIR)).toAbsolutePath().toString();
    int maxUploads = ctx.config().get(MAX_CONCURRENT_UPLOADS);
    return vertx.executeBlocking(() -> UploadHandler.privateDirectory(Path.of(uploads)))
      // Before serving: what Redis missed before this instance (re)started is dropped first.
      .compose(v -> writes.start(ctx.config().get(INVALIDATION_SWEEP_MS)))
      .compose(v -> OpenAPIContract.from(vertx, "openapi.yaml"))
      .onSuccess(c -> {
        contract = c;
        api = new UsersApi(users, new DictionaryService(store, reads, writes, events), bulk,
          new UploadHandler(vertx, bulk, new UserFileParser(), uploads, maxUploads,
            ctx.config().get(UPLOAD_TIME_LIMIT_SECONDS)), guard, new Admins(ctx.db(), store));
      })
      .mapEmpty();
  }

  @Override
  public Future<Router> routes(ServiceContext ctx) {
    return Future.succeededFuture(api.router(ctx.vertx(), contract));
  }

  @Override
  public void hotRoutes(ServiceContext ctx, Router router) {
    api.hotRoutes(router);
  }
}
