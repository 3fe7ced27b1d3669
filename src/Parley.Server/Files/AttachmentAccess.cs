using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.Storage;

namespace Parley.Server.Files;

/// <summary>The file an image, voice, video or file message carries: its descriptor (made here, from the row) and its id.</summary>
public sealed record MessageAttachment(long FileId, string Descriptor);

/// <summary>
/// Who may fetch a file: its uploader, and anyone who can see a message carrying it, that is a current member
/// of a conversation holding a message with this <c>FileId</c> that is not recalled, not deleted by them and
/// not cleared by them. One indexed query (<c>IX_Messages_FileId</c>); nothing is cached, so a recall or a
/// departure takes effect on the next request.
/// </summary>
public sealed class AttachmentAccess(ParleyDb db, IOptions<FilesOptions> options)
{
    /// <summary>The file if <paramref name="userId"/> may read it; otherwise null, whether or not it exists.</summary>
    public async Task<StoredFile?> FindReadableAsync(long userId, long fileId, CancellationToken cancellationToken)
    {
        var file = await db.Files.AsNoTracking().FirstOrDefaultAsync(f => f.Id == fileId, cancellationToken);
        if (file is null) return null;
        if (file.OwnerId == userId) return file;
        return await SeesAMessageCarryingAsync(userId, fileId, cancellationToken) ? file : null;
    }

    private async Task<bool> SeesAMessageCarryingAsync(long userId, long fileId, CancellationToken cancellationToken) =>
        await (from m in db.Messages
               where m.FileId == fileId && !m.Recalled
               join member in db.ConversationMembers on m.ConversationId equals member.ConversationId
               where member.UserId == userId && m.Seq > member.ClearedSeq
                   && !db.MessageDeletions.Any(d => d.UserId == userId && d.ConversationId == m.ConversationId && d.Seq == m.Seq)
               select m.Id).AnyAsync(cancellationToken)
        // A merged forward carries its items' files (ForwardedFiles): its readers may fetch them.
        || await (from f in db.ForwardedFiles
                  where f.FileId == fileId
                  join m in db.Messages on f.MessageId equals m.Id
                  where !m.Recalled
                  join member in db.ConversationMembers on m.ConversationId equals member.ConversationId
                  where member.UserId == userId && m.Seq > member.ClearedSeq
                      && !db.MessageDeletions.Any(d => d.UserId == userId && d.ConversationId == m.ConversationId && d.Seq == m.Seq)
                  select m.Id).AnyAsync(cancellationToken);

    /// <summary>
    /// Checks that <paramref name="senderId"/> may send the file as a <paramref name="type"/> message (they
    /// uploaded it, or can download it: forwarding) and that its bytes fit the type, and builds the descriptor
    /// stored with the message. What else the client put in <c>file</c> is ignored.
    /// </summary>
    public async Task<MessageAttachment> ForMessageAsync(long senderId, long fileId, MessageType type, CancellationToken cancellationToken)
    {
        var file = await FindReadableAsync(senderId, fileId, cancellationToken)
            ?? throw ApiProblem.BadRequest("file_not_found", "There is no such file, or it is not yours to send: upload it with POST /api/v1/files first.");
        var kind = type switch
        {
            MessageType.Image => FileKind.Image,
            MessageType.Voice => FileKind.Voice,
            MessageType.Video => FileKind.Video,
            _ => FileKind.File,
        };
        if (!FileSniffer.Fits(kind, file.ContentType))
            throw ApiProblem.BadRequest("file_type_mismatch",
                $"The file is {file.ContentType}; a {type.ToString().ToLowerInvariant()} message needs {(kind switch { FileKind.Image => "an image", FileKind.Voice => "audio", _ => "a video" })}. Send it as a 'file' message instead.");
        // Uploaded as a plain file, it had the file limit; as an image, voice or video message it must fit theirs.
        var limit = options.Value.LimitFor(kind);
        if (kind != FileKind.File && file.Size > limit)
            throw new ApiProblem(StatusCodes.Status413PayloadTooLarge, "file_too_large",
                $"The file has {file.Size} bytes; a {type.ToString().ToLowerInvariant()} message may carry at most {limit}. Send it as a 'file' message instead.");
        return new MessageAttachment(file.Id, System.Text.Json.JsonSerializer.Serialize(FileView.From(file), ParleyJsonContext.Default.FileView));
    }
}
