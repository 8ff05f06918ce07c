/*
 * confer: UDP send batching, appended to src/handles/UdpSocketHandler.cpp by
 * patch-worker.py (see its docstring for why and how it is switched on).
 *
 * With MEDIASOUP_SEND_BATCH=1 in the worker's environment, Send() copies each
 * datagram into a per-thread arena instead of calling sendmsg() at once; a
 * uv_prepare handle (before the loop blocks in poll) and a uv_check handle
 * (right after poll's callbacks) flush every socket's queue with sendmmsg(2),
 * so a packet forwarded to N consumers of one socket costs one system call per
 * event-loop turn rather than N. Packets never wait across a blocking poll.
 * Send callbacks run once the kernel has taken (or refused) the datagram, as
 * before; datagrams that sendmmsg() does not take (EAGAIN, an error on one of
 * them, libuv already queueing sends on that socket) go the upstream way,
 * uv_udp_try_send() then uv_udp_send(), in order.
 */

#include "DepLibUV.hpp"
#include <cerrno>
#include <cstdlib> // std::getenv()
#include <cstring> // std::strcmp()
#include <vector>
#ifdef __linux__
#include <sys/socket.h> // sendmmsg()
#endif

namespace
{
	// Every datagram mediasoup sends over UDP in practice (RTP/RTCP with SRTP,
	// STUN, DTLS records at its 1350-byte MTU) fits; a larger one bypasses the
	// queue after the socket's queue is flushed, so order holds.
	constexpr size_t BatchSlotSize{ 1500u };
	// Caps what is held between flushes (~1.6 MB of slots, touched only as used).
	constexpr uint32_t BatchArenaSlots{ 1024u };
	// Messages per sendmmsg() call.
	constexpr unsigned int BatchMaxMessages{ 64u };
} // namespace

struct UdpSendBatch
{
	struct Slot
	{
		size_t len;
		struct sockaddr_storage addr;
		socklen_t addrLen;
		UdpSocketHandler::onSendCallback* cb;
		uint8_t data[BatchSlotSize];
	};

	static bool Enabled()
	{
#ifdef __linux__
		// Read once: the same binary measures both paths, chosen per worker process.
		static const bool enabled = []()
		{
			const char* value = std::getenv("MEDIASOUP_SEND_BATCH");

			return value != nullptr && std::strcmp(value, "1") == 0;
		}();

		return enabled;
#else
		return false;
#endif
	}

	void Enqueue(
	  UdpSocketHandler* socket,
	  const uint8_t* data,
	  size_t len,
	  const struct sockaddr* addr,
	  UdpSocketHandler::onSendCallback* cb)
	{
		if (!this->arena)
		{
			// Default-initialised: pages are touched only as slots are used.
			this->arena.reset(new Slot[BatchArenaSlots]);
		}
		if (this->used == BatchArenaSlots)
			FlushAll();
		StartHandles();

		const uint32_t index = this->used++;
		Slot& slot           = this->arena[index];

		slot.len     = len;
		slot.addrLen = addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
		                                          : sizeof(struct sockaddr_in6);
		std::memcpy(&slot.addr, addr, slot.addrLen);
		slot.cb = cb;
		std::memcpy(slot.data, data, len);

		if (socket->batchSlots.empty())
			this->dirty.push_back(socket);
		socket->batchSlots.push_back(index);
	}

	// Sends everything queued, then runs the send callbacks; a callback may
	// queue more, hence the loop.
	void FlushAll()
	{
		while (this->used > 0)
		{
			std::vector<UdpSocketHandler*> sockets;
			std::vector<UdpSocketHandler::BatchResult> results;

			sockets.swap(this->dirty);
			results.reserve(this->used);

			// No callback runs in here, so no socket can go away meanwhile.
			for (auto* socket : sockets)
				socket->SendBatched(results);

			this->used = 0;

			RunCallbacks(results);
		}
	}

	// One socket's queue, now (before a datagram that bypasses the queue, or
	// when the socket closes).
	void FlushSocket(UdpSocketHandler* socket)
	{
		std::vector<UdpSocketHandler::BatchResult> results;

		socket->SendBatched(results);
		Forget(socket);
		RunCallbacks(results);
	}

	void Forget(UdpSocketHandler* socket)
	{
		this->dirty.erase(
		  std::remove(this->dirty.begin(), this->dirty.end(), socket), this->dirty.end());
	}

	static void RunCallbacks(std::vector<UdpSocketHandler::BatchResult>& results)
	{
		for (auto& result : results)
		{
			(*result.cb)(result.sent);
			delete result.cb;
		}
	}

	void SocketOpened()
	{
		++this->openSockets;
	}

	// The handles live only while sockets do, so that the worker's loop closes
	// cleanly (DepLibUV::ClassDestroy() reports any handle left open).
	void SocketClosed()
	{
		if (--this->openSockets > 0 || !this->prepare)
			return;

		uv_close(
		  reinterpret_cast<uv_handle_t*>(this->prepare),
		  [](uv_handle_t* handle) { delete reinterpret_cast<uv_prepare_t*>(handle); });
		uv_close(
		  reinterpret_cast<uv_handle_t*>(this->check),
		  [](uv_handle_t* handle) { delete reinterpret_cast<uv_check_t*>(handle); });
		this->prepare = nullptr;
		this->check   = nullptr;
	}

	void StartHandles();

	std::unique_ptr<Slot[]> arena;
	uint32_t used{ 0u };
	std::vector<UdpSocketHandler*> dirty;
	uv_prepare_t* prepare{ nullptr };
	uv_check_t* check{ nullptr };
	size_t openSockets{ 0u };
};

thread_local static UdpSendBatch SendBatch;

void UdpSendBatch::StartHandles()
{
	if (this->prepare)
		return;

	this->prepare = new uv_prepare_t;
	this->check   = new uv_check_t;
	uv_prepare_init(DepLibUV::GetLoop(), this->prepare);
	uv_check_init(DepLibUV::GetLoop(), this->check);
	uv_prepare_start(this->prepare, [](uv_prepare_t* /*handle*/) { SendBatch.FlushAll(); });
	uv_check_start(this->check, [](uv_check_t* /*handle*/) { SendBatch.FlushAll(); });
	// They must not keep the loop alive on their own.
	uv_unref(reinterpret_cast<uv_handle_t*>(this->prepare));
	uv_unref(reinterpret_cast<uv_handle_t*>(this->check));
}

void UdpSocketHandler::Send(
  const uint8_t* data, size_t len, const struct sockaddr* addr, UdpSocketHandler::onSendCallback* cb)
{
	MS_TRACE();

	if (!UdpSendBatch::Enabled())
	{
		SendDirect(data, len, addr, cb);

		return;
	}

	const bool queueable = !this->closed && len > 0 && len <= BatchSlotSize && addr != nullptr &&
	                       (addr->sa_family == AF_INET || addr->sa_family == AF_INET6);

	if (!queueable)
	{
		if (!this->batchSlots.empty())
			SendBatch.FlushSocket(this);

		SendDirect(data, len, addr, cb);

		return;
	}

	SendBatch.Enqueue(this, data, len, addr, cb);
}

void UdpSocketHandler::SendBatched(std::vector<BatchResult>& results)
{
	if (this->batchSlots.empty())
		return;

	std::vector<uint32_t> indexes;

	indexes.swap(this->batchSlots);

	int fd{ -1 };

	if (uv_fileno(reinterpret_cast<uv_handle_t*>(this->uvHandle), &fd) != 0)
		fd = -1;

	size_t i{ 0u };

	while (i < indexes.size())
	{
#ifdef __linux__
		// libuv holds queued sends for this socket: ours go behind them, its way.
		if (fd >= 0 && this->uvHandle->send_queue_count == 0)
		{
			struct mmsghdr msgs[BatchMaxMessages];
			struct iovec iovs[BatchMaxMessages];
			const auto count =
			  static_cast<unsigned int>(std::min<size_t>(indexes.size() - i, BatchMaxMessages));

			for (unsigned int k{ 0u }; k < count; ++k)
			{
				auto& slot = SendBatch.arena[indexes[i + k]];

				iovs[k].iov_base = slot.data;
				iovs[k].iov_len  = slot.len;
				std::memset(&msgs[k], 0, sizeof(msgs[k]));
				msgs[k].msg_hdr.msg_name    = &slot.addr;
				msgs[k].msg_hdr.msg_namelen = slot.addrLen;
				msgs[k].msg_hdr.msg_iov     = &iovs[k];
				msgs[k].msg_hdr.msg_iovlen  = 1;
			}

			const int sent = sendmmsg(fd, msgs, count, 0);

			if (sent > 0)
			{
				for (int k{ 0 }; k < sent; ++k)
				{
					auto& slot = SendBatch.arena[indexes[i + k]];

					this->sentBytes += msgs[k].msg_len;
					if (slot.cb)
						results.push_back({ slot.cb, msgs[k].msg_len == slot.len });
				}
				i += static_cast<size_t>(sent);

				continue;
			}
			if (sent < 0 && errno == EINTR)
				continue;
			// EAGAIN, or an error on the first datagram: that one the upstream way
			// (which reports it, or queues it in libuv), then on with the rest.
		}
#endif
		const auto& slot = SendBatch.arena[indexes[i]];

		SendSlotViaLibuv(
		  slot.data, slot.len, reinterpret_cast<const struct sockaddr*>(&slot.addr), slot.cb, results);
		++i;
	}
}

// UdpSocketHandler::SendDirect() for a queued datagram, except that the
// callback is handed back to run after the flush instead of being run here.
void UdpSocketHandler::SendSlotViaLibuv(
  const uint8_t* data,
  size_t len,
  const struct sockaddr* addr,
  UdpSocketHandler::onSendCallback* cb,
  std::vector<BatchResult>& results)
{
	uv_buf_t buffer = uv_buf_init(reinterpret_cast<char*>(const_cast<uint8_t*>(data)), len);
	const int sent  = uv_udp_try_send(this->uvHandle, &buffer, 1, addr);

	if (sent >= 0)
	{
		this->sentBytes += sent;
		if (cb)
			results.push_back({ cb, sent == static_cast<int>(len) });

		return;
	}

	auto* sendData = new UvSendData(len);

	sendData->req.data = static_cast<void*>(sendData);
	std::memcpy(sendData->store, data, len);
	sendData->cb = cb;
	buffer       = uv_buf_init(reinterpret_cast<char*>(sendData->store), len);

	const int err =
	  uv_udp_send(&sendData->req, this->uvHandle, &buffer, 1, addr, static_cast<uv_udp_send_cb>(onSend));

	if (err != 0)
	{
		// Handed back rather than deleted with sendData: it runs after the flush.
		sendData->cb = nullptr;
		delete sendData;
		if (cb)
			results.push_back({ cb, false });
	}
	else
	{
		this->sentBytes += len;
	}
}

void UdpSocketHandler::BatchSocketOpened()
{
	SendBatch.SocketOpened();
}

void UdpSocketHandler::BatchSocketClosing()
{
	// Datagrams accepted while open still leave, as they would have upstream.
	if (!this->batchSlots.empty())
		SendBatch.FlushSocket(this);
	else
		SendBatch.Forget(this);
	SendBatch.SocketClosed();
}
