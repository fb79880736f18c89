/*
 * PAGEMAP_SCAN (Linux 6.7+) for memtop: the populated ranges of an address range of a
 * process, from an open /proc/PID/pagemap, so that pagemap is read only where there is
 * something to read. A Node-API module in plain C; loadable in worker threads.
 *
 *   scan(fd, start, end, regions: Uint32Array) -> number
 *
 * start and end are byte addresses (page-aligned numbers). The kernel writes struct
 * page_region { u64 start, end, categories } straight into `regions` (6 words a region), in
 * address order, one region for each run of pages that are present or swapped (any
 * non-present, non-empty entry: swap, migration, guard and uffd markers, exactly the entries
 * pagemap marks with bit 62). Returns the number of regions written: when it equals the
 * room in `regions` the scan stopped there and goes on from the last region's end. A
 * negative result is -errno: ENOTTY or EINVAL where the kernel has no PAGEMAP_SCAN.
 *
 *   readRuns(fd, runs: Float64Array, count, out: Uint8Array) -> number
 *
 * Many preads in one call, for kpagecount and kpageflags: run i is `runs[3i]` (first entry)
 * and `runs[3i + 1]` (entries; `runs[3i + 2]` is the caller's), read as 8-byte entries into
 * `out` one run after another. What the file lacks past its end reads as zeros. Returns the
 * entries written, or -errno. From Node each read costs ~0.5 us more than the syscall itself.
 *
 *   exitNow(code) -> never returns
 *
 * _exit(2): ends the process at once with that status, without the at-exit work of Node,
 * which joins every thread and so waits for ever on a thread blocked in a read that never
 * returns (a hung mount). memtop restores the terminal before it calls this.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <node_api.h>

/* From include/uapi/linux/fs.h (6.7+), which older C library headers lack. */
struct memtop_page_region {
	uint64_t start;
	uint64_t end;
	uint64_t categories;
};

struct memtop_pm_scan_arg {
	uint64_t size;
	uint64_t flags;
	uint64_t start;
	uint64_t end;
	uint64_t walk_end;
	uint64_t vec;
	uint64_t vec_len;
	uint64_t max_pages;
	uint64_t category_inverted;
	uint64_t category_mask;
	uint64_t category_anyof_mask;
	uint64_t return_mask;
};

#define MEMTOP_PAGEMAP_SCAN _IOWR('f', 16, struct memtop_pm_scan_arg)
#define MEMTOP_PAGE_IS_PRESENT (1 << 3)
#define MEMTOP_PAGE_IS_SWAPPED (1 << 4)

/* Largest integer a double holds exactly: addresses beyond it cannot be passed. */
#define EXACT_LIMIT 9007199254740992.0

static napi_value number(napi_env env, double value)
{
	napi_value out;
	napi_create_double(env, value, &out);
	return out;
}

static napi_value scan(napi_env env, napi_callback_info info)
{
	size_t argc = 4;
	napi_value argv[4];
	if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4)
		return number(env, -EINVAL);
	int32_t fd;
	double start, end;
	if (napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
	    napi_get_value_double(env, argv[1], &start) != napi_ok ||
	    napi_get_value_double(env, argv[2], &end) != napi_ok || start < 0 || end < start ||
	    end > EXACT_LIMIT)
		return number(env, -EINVAL);
	napi_typedarray_type type;
	size_t length;
	void *data;
	if (napi_get_typedarray_info(env, argv[3], &type, &length, &data, NULL, NULL) != napi_ok ||
	    type != napi_uint32_array || ((uintptr_t)data & 7) != 0)
		return number(env, -EINVAL);

	struct memtop_page_region *vec = data;
	uint64_t room = length / 6; /* 6 words of 32 bits a region */
	uint64_t to = (uint64_t)end;
	uint64_t at = (uint64_t)start;
	uint64_t found = 0;
	/* The kernel stops when vec is full; walk_end says where. Go on until the range is done
	 * or vec is full, and never loop without progress. */
	while (at < to && found < room) {
		struct memtop_pm_scan_arg arg;
		memset(&arg, 0, sizeof(arg));
		arg.size = sizeof(arg);
		arg.start = at;
		arg.end = to;
		arg.vec = (uint64_t)(uintptr_t)(vec + found);
		arg.vec_len = room - found;
		arg.max_pages = 0; /* no limit */
		arg.category_anyof_mask = MEMTOP_PAGE_IS_PRESENT | MEMTOP_PAGE_IS_SWAPPED;
		/* Report both categories apart: a region is then one kind of entry. */
		arg.return_mask = MEMTOP_PAGE_IS_PRESENT | MEMTOP_PAGE_IS_SWAPPED;
		int n = ioctl(fd, MEMTOP_PAGEMAP_SCAN, &arg);
		if (n < 0)
			return number(env, -errno);
		found += (uint64_t)n;
		if (arg.walk_end <= at && n == 0)
			return number(env, -EIO);
		at = arg.walk_end;
	}
	return number(env, (double)found);
}

static napi_value read_runs(napi_env env, napi_callback_info info)
{
	size_t argc = 4;
	napi_value argv[4];
	if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4)
		return number(env, -EINVAL);
	int32_t fd, count;
	napi_typedarray_type type;
	size_t runs_length, out_length;
	void *runs_data, *out_data;
	if (napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
	    napi_get_value_int32(env, argv[2], &count) != napi_ok || count < 0 ||
	    napi_get_typedarray_info(env, argv[1], &type, &runs_length, &runs_data, NULL, NULL) !=
		    napi_ok ||
	    type != napi_float64_array || (size_t)count * 3 > runs_length ||
	    napi_get_typedarray_info(env, argv[3], &type, &out_length, &out_data, NULL, NULL) !=
		    napi_ok ||
	    type != napi_uint8_array)
		return number(env, -EINVAL);
	const double *runs = runs_data;
	char *out = out_data;
	size_t at = 0; /* bytes written to out */
	for (int32_t i = 0; i < count; i++) {
		double first = runs[3 * i], entries = runs[3 * i + 1];
		/* Within out and exact offsets (NaN fails every comparison), then whole numbers. */
		if (!(first >= 0) || !(entries >= 0) || first * 8 > EXACT_LIMIT ||
		    entries > (double)((out_length - at) / 8) ||
		    (double)(uint64_t)first != first || (double)(uint64_t)entries != entries)
			return number(env, -EINVAL);
		size_t want = (size_t)entries * 8;
		off_t position = (off_t)first * 8;
		size_t done = 0;
		while (done < want) {
			ssize_t n = pread(fd, out + at + done, want - done, position + (off_t)done);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				return number(env, -errno);
			}
			if (n == 0)
				break;
			done += (size_t)n;
		}
		memset(out + at + done, 0, want - done);
		at += want;
	}
	return number(env, (double)(at / 8));
}

static napi_value exit_now(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	int32_t code = 1;
	if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= 1)
		napi_get_value_int32(env, argv[0], &code);
	_exit(code & 0xff);
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */)
{
	napi_value fn, runs, quit;
	if (napi_create_function(env, "scan", NAPI_AUTO_LENGTH, scan, NULL, &fn) != napi_ok ||
	    napi_set_named_property(env, exports, "scan", fn) != napi_ok ||
	    napi_create_function(env, "readRuns", NAPI_AUTO_LENGTH, read_runs, NULL, &runs) !=
		    napi_ok ||
	    napi_set_named_property(env, exports, "readRuns", runs) != napi_ok ||
	    napi_create_function(env, "exitNow", NAPI_AUTO_LENGTH, exit_now, NULL, &quit) !=
		    napi_ok ||
	    napi_set_named_property(env, exports, "exitNow", quit) != napi_ok)
		return NULL;
	return exports;
}
